import { type QueryClient, queryOptions, useQuery } from "@tanstack/react-query";
import { createContext, useContext } from "react";
import { ApiError, api, expectData } from "../api/client";
import type { Session } from "../api/types";

async function fetchSession(): Promise<Session | null> {
  try {
    return expectData(await api.GET("/api/v1/auth/session"));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

/** The signed-in session, or null when nobody is signed in. */
export const sessionQuery = queryOptions({
  queryKey: ["session"] as const,
  queryFn: fetchSession,
  staleTime: 60_000,
});

/** A CSRF token for requests made before there is a session (the login POSTs). */
export const csrfQuery = queryOptions({
  queryKey: ["csrf"] as const,
  queryFn: async () => expectData(await api.GET("/api/v1/auth/csrf")).csrfToken,
  staleTime: Number.POSITIVE_INFINITY,
});

export const ssoPublicQuery = queryOptions({
  queryKey: ["sso-public"] as const,
  queryFn: async () => expectData(await api.GET("/api/v1/auth/sso")),
  staleTime: 5 * 60_000,
});

export const sessionKey = sessionQuery.queryKey;
export const csrfKey = csrfQuery.queryKey;
export const ssoPublicKey = ssoPublicQuery.queryKey;

/** Where the API client finds the CSRF token: the session if any, else a pre-session token. */
export async function currentCsrfToken(queryClient: QueryClient): Promise<string | null> {
  const session = queryClient.getQueryData(sessionKey);
  if (session) return session.csrfToken;
  return queryClient.fetchQuery(csrfQuery);
}

/** Keep a fresh CSRF token from a login answer, when the server sends one. */
export function rememberCsrfToken(queryClient: QueryClient, answer: unknown): void {
  if (typeof answer === "object" && answer !== null && "csrfToken" in answer) {
    const token = answer.csrfToken;
    if (typeof token === "string" && token) queryClient.setQueryData(csrfKey, token);
  }
}

/** After a successful sign-in: drop everything cached for the previous visitor and load the session. */
export async function completeSignIn(queryClient: QueryClient): Promise<Session | null> {
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== ssoPublicKey[0] });
  return queryClient.fetchQuery({ ...sessionQuery, staleTime: 0 });
}

let signedOutOnPurpose = false;

/** Marks the session as ended by the user, so the shell sends them to /signin without a return path. */
export function endSessionLocally(queryClient: QueryClient): void {
  signedOutOnPurpose = true;
  queryClient.setQueryData(sessionKey, null);
  queryClient.removeQueries({
    predicate: (query) => query.queryKey[0] !== sessionKey[0] && query.getObserversCount() === 0,
  });
}

export function takeSignedOutFlag(): boolean {
  const value = signedOutOnPurpose;
  signedOutOnPurpose = false;
  return value;
}

export const SessionContext = createContext<Session | null>(null);

/** The current session; only usable inside the signed-in shell. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession() used outside the signed-in shell");
  return session;
}

export function useCan(permission: string): boolean {
  return useSession().permissions.includes(permission);
}

export function useSessionQuery() {
  return useQuery(sessionQuery);
}
