import { Text } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useCan } from "../../app/session";
import { AnchorLink } from "../../components/links";
import { personQuery } from "../people/queries";

interface PersonNameProps {
  personId: string | null;
  /** Link to the leaver page rather than the person's record. */
  to?: "person" | "offboarding";
  fallback?: string;
  /** Text size of the link; tables use the default, detail lists "sm". */
  size?: "sm";
  /** The name, when the list already carries it (then nothing is fetched). */
  name?: string | null;
}

/**
 * A person's name, linked to their page: the name the list carries, or else from their HR
 * record (cached per person); without either, the short id.
 */
export function PersonName({ personId, to = "person", fallback = "—", size, name: known }: PersonNameProps) {
  const canRead = useCan("people:read");
  const person = useQuery({
    ...personQuery(personId ?? ""),
    enabled: canRead && !!personId && !known,
    staleTime: 5 * 60_000,
  });
  if (!personId) return <>{fallback}</>;
  const name =
    known ??
    person.data?.person.displayName ??
    (person.isPending && canRead ? "…" : `Person ${personId.slice(-6)}`);
  if (to === "offboarding") {
    return (
      <AnchorLink to="/access/people/$personId/offboarding" params={{ personId }} size={size}>
        {name}
      </AnchorLink>
    );
  }
  if (!canRead)
    return (
      <Text span size={size}>
        {name}
      </Text>
    );
  return (
    <AnchorLink to="/people/$id" params={{ id: personId }} size={size}>
      {name}
    </AnchorLink>
  );
}
