import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useCallback } from "react";
import { safeRedirect } from "../../app/redirect";
import { completeSignIn } from "../../app/session";

/** Loads the new session and goes to the page the visitor wanted (or home). */
export function useFinishSignIn() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useCallback(
    async (redirectTo?: string) => {
      await completeSignIn(queryClient);
      await navigate({ href: safeRedirect(redirectTo), replace: true });
    },
    [queryClient, navigate],
  );
}
