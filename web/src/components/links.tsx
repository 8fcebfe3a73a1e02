import {
  Anchor,
  type AnchorProps,
  Button,
  type ButtonProps,
  NavLink,
  type NavLinkProps,
} from "@mantine/core";
import { createLink } from "@tanstack/react-router";
import type { AnchorHTMLAttributes, Ref } from "react";

type AnchorAttrs = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "color" | "style">;

interface AnchorBaseProps extends AnchorProps, AnchorAttrs {
  ref?: Ref<HTMLAnchorElement>;
}
function AnchorBase(props: AnchorBaseProps) {
  return <Anchor {...props} />;
}

interface ButtonBaseProps extends ButtonProps, AnchorAttrs {
  ref?: Ref<HTMLAnchorElement>;
}
function ButtonBase(props: ButtonBaseProps) {
  return <Button component="a" {...props} />;
}

interface NavLinkBaseProps extends NavLinkProps, Omit<AnchorAttrs, keyof NavLinkProps> {
  ref?: Ref<HTMLAnchorElement>;
}
function NavLinkBase(props: NavLinkBaseProps) {
  return <NavLink component="a" {...props} />;
}

/** Router-aware Mantine components: typed `to`, client-side navigation, aria-current on the active one. */
export const AnchorLink = createLink(AnchorBase);
export const ButtonLink = createLink(ButtonBase);
export const NavLinkLink = createLink(NavLinkBase);
