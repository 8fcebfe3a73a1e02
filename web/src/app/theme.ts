import { type CSSVariablesResolver, createTheme, darken, luminance, type MantineTheme } from "@mantine/core";

/**
 * Mantine's defaults put some text colours below WCAG AA contrast on white
 * (blue-6 buttons, gray-6 "dimmed" text, red-6 errors); darker shades fix that.
 */
export const theme = createTheme({
  primaryColor: "blue",
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: "md",
  cursorType: "pointer",
  components: {
    // Mantine renders dialog headers as <header>, which axe counts as a second banner landmark.
    ModalHeader: { defaultProps: { component: "div" } },
    DrawerHeader: { defaultProps: { component: "div" } },
    // The close (×) buttons of dialogs have no text of their own.
    Modal: { defaultProps: { closeButtonProps: { "aria-label": "Close dialog" } } },
    Drawer: { defaultProps: { closeButtonProps: { "aria-label": "Close panel" } } },
  },
});

const AA = 4.6; // WCAG AA asks for 4.5:1 on normal-size text; keep a little margin.

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Text colour of the "light" variant (badges, alerts): shade 9, darkened until it passes AA on shade 2. */
function readableLightColor(shades: readonly string[]): string | null {
  const text = shades[9];
  const background = shades[2]; // hover background of light buttons; badges and alerts use the lighter shade 1
  if (!text || !background) return null;
  let candidate = text;
  for (let step = 1; contrast(candidate, background) < AA && step <= 10; step++) {
    candidate = darken(text, step * 0.05);
  }
  return candidate;
}

export const cssVariablesResolver: CSSVariablesResolver = (t: MantineTheme) => {
  const light: Record<string, string> = {
    "--mantine-color-dimmed": "var(--mantine-color-gray-7)",
    "--mantine-color-error": "var(--mantine-color-red-9)",
    "--mantine-color-placeholder": "var(--mantine-color-gray-6)",
    "--mantine-color-anchor": "var(--mantine-color-blue-9)",
  };
  for (const [name, shades] of Object.entries(t.colors)) {
    const color = shades ? readableLightColor(shades) : null;
    if (color) light[`--mantine-color-${name}-light-color`] = color;
  }
  return { variables: {}, light, dark: {} };
};
