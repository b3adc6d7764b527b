/**
 * Who is using the app. On start: GET /auth/me. 200: the app (local mode: nothing extra;
 * server mode: the user in the top bar with "Log out"). 401: the login page. When a
 * session ends later (refresh refused), the login page replaces the app; after logging
 * in again the user is on the same URL.
 */
import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { api, ApiError, errorMessage, type Me } from "../client/api";
import { ErrorBox, Loading } from "../components/common/Status";
import { LoginPage } from "./LoginPage";
import { session } from "./session";
import "./auth.css";

type State =
  | { status: "checking" }
  | { status: "signed-out"; notice?: string }
  | { status: "signed-in"; me: Me }
  | { status: "unreachable"; error: Error };

interface AuthContextValue {
  me: Me | null;
  logout: () => Promise<void>;
}

const AuthContext = createContext<AuthContextValue>({ me: null, logout: async () => {} });

export function useAuth(): AuthContextValue {
  return useContext(AuthContext);
}

/** GET /auth/me: the caller, null on 401; throws on anything else. */
async function fetchMe(): Promise<Me | null> {
  const { data, error, response } = await api.GET("/api/v1/auth/me");
  if (data) return data;
  if (response.status === 401) return null;
  throw new ApiError(errorMessage(error ?? {}, response.status), response.status, error);
}

export function AuthGate({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<State>({ status: "checking" });

  const check = useCallback(async () => {
    try {
      const me = await fetchMe();
      setState(me ? { status: "signed-in", me } : { status: "signed-out" });
    } catch (e) {
      setState({ status: "unreachable", error: e instanceof Error ? e : new Error(String(e)) });
    }
  }, []);

  useEffect(() => {
    void check();
  }, [check]);

  useEffect(
    () =>
      session.onExpired(() => {
        queryClient.clear(); // nothing of the previous session stays on screen
        setState({ status: "signed-out", notice: "Your session has ended. Please log in again." });
      }),
    [queryClient],
  );

  const login = useCallback(
    async (email: string, password: string, organization?: string) => {
      await session.login(email, password, organization);
      queryClient.clear();
      const me = await fetchMe();
      if (!me) throw new Error("Logged in, but the server did not accept the new token. Try again.");
      setState({ status: "signed-in", me });
    },
    [queryClient],
  );

  const logout = useCallback(async () => {
    await session.logout();
    queryClient.clear();
    setState({ status: "signed-out" });
  }, [queryClient]);

  if (state.status === "checking") {
    return (
      <div className="auth-check">
        <Loading label="Connecting…" />
      </div>
    );
  }
  if (state.status === "unreachable") {
    return (
      <div className="login-screen">
        <main id="main" className="login-card">
          <h1 className="login-brand">MatDiscover</h1>
          <ErrorBox error={state.error} title="Cannot reach the server" />
          <button type="button" onClick={() => void check()}>
            Try again
          </button>
        </main>
      </div>
    );
  }
  if (state.status === "signed-out") return <LoginPage onLogin={login} notice={state.notice} />;
  return <AuthContext.Provider value={{ me: state.me, logout }}>{children}</AuthContext.Provider>;
}

/** The signed-in user in the top bar; nothing in local mode. */
export function UserMenu() {
  const { me, logout } = useAuth();
  const [busy, setBusy] = useState(false);
  if (!me || me.auth_method === "local") return null;
  return (
    <div className="user-menu" data-testid="user-menu">
      <span className="who">
        <span data-testid="user-email">{me.user.email}</span>
        <span className="org">
          <span data-testid="user-org">{me.organization.name}</span>{" "}
          <span className="role" data-testid="user-role" title={me.role === "viewer" ? "read only" : undefined}>
            {me.role}
          </span>
        </span>
      </span>
      <button
        type="button"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void logout().finally(() => setBusy(false));
        }}
      >
        Log out
      </button>
    </div>
  );
}
