import { Badge } from "@mantine/core";
import type { User } from "../../api/types";

/** Disabled, invited (no password chosen yet) or active. */
export function UserStatusBadge({ user }: { user: User }) {
  if (user.disabled) {
    return (
      <Badge variant="light" color="red" radius="sm">
        Disabled
      </Badge>
    );
  }
  if (!user.hasPassword) {
    return (
      <Badge variant="light" color="yellow" radius="sm">
        Invited
      </Badge>
    );
  }
  return (
    <Badge variant="light" color="teal" radius="sm">
      Active
    </Badge>
  );
}
