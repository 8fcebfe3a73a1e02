import { Button, type ButtonProps, Group, Text } from "@mantine/core";
import { type ReactNode, useEffect, useRef, useState } from "react";

interface ConfirmButtonProps {
  /** Label of the initial button, e.g. "Reset MFA". */
  children: ReactNode;
  /** The question shown before acting, e.g. "Reset MFA for Ana?" */
  question: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  loading?: boolean;
  color?: ButtonProps["color"];
  variant?: ButtonProps["variant"];
  size?: ButtonProps["size"];
}

/** A button that asks for confirmation in place before doing something destructive. */
export function ConfirmButton(props: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);

  useEffect(() => {
    if (asking) confirmRef.current?.focus();
    else if (wasAsking.current) triggerRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (!asking) {
    return (
      <Button
        ref={triggerRef}
        color={props.color}
        variant={props.variant ?? "light"}
        size={props.size}
        loading={props.loading}
        onClick={() => setAsking(true)}
      >
        {props.children}
      </Button>
    );
  }
  return (
    <Group gap="xs" role="group" aria-label="Confirm action">
      <Text size="sm" fw={600}>
        {props.question}
      </Text>
      <Button
        ref={confirmRef}
        size={props.size ?? "sm"}
        color={props.color ?? "red"}
        onClick={() => {
          setAsking(false);
          props.onConfirm();
        }}
      >
        {props.confirmLabel}
      </Button>
      <Button size={props.size ?? "sm"} variant="default" onClick={() => setAsking(false)}>
        Cancel
      </Button>
    </Group>
  );
}
