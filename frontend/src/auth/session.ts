/**
 * The browser's credentials in server mode (`MATDISCOVER_AUTH=required`). In local mode
 * there are none: no token is ever stored, no header is sent and nothing here gets in the
 * way.
 *
 * Where the tokens live, and why:
 * - The ACCESS token (a JWT valid for minutes) is kept in memory only. It is what every
 *   request carries; losing it on reload costs one refresh.
 * - The REFRESH token (valid for days) is kept in `sessionStorage`. The server returns it in
 *   the response body, not as an HttpOnly cookie, so some script-readable storage is the
 *   only way to survive a page reload. The trade-off: a script injected into this origin
 *   could read it (an HttpOnly cookie could not be read, but would need CSRF protection
 *   and a server change). The exposure is limited because the server sends a strict
 *   same-origin Content-Security-Policy (`script-src 'self'`, no inline scripts, so an
 *   injected `<script>` does not run), refresh tokens rotate on every use and a replayed
 *   one revokes the whole session, and sessionStorage is per tab and cleared when the tab
 *   closes. localStorage was rejected: it outlives the browser session and is shared by
 *   all tabs, whose independent refreshes would replay each other's rotated tokens and
 *   revoke the session. Memory only was rejected: every reload would ask for the password.
 */
import type { Middleware } from "openapi-fetch";

export const REFRESH_KEY = "matdiscover.refresh_token";
const AUTH = "/api/v1/auth";
/** Refresh this long before the access token expires (clock skew, request latency). */
const EARLY_MS = 20_000;

/** The part of the login/refresh response (`TokenPair`) this module needs. */
export interface TokenPairLike {
  access_token: string;
  expires_in: number;
  refresh_token: string;
}

/** A failed login, with a message for the person at the keyboard. */
export class LoginError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "LoginError";
  }
}

export type RefreshOutcome = "ok" | "rejected" | "unavailable" | "none";
type Fetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

export interface SessionOptions {
  /** fetch to use (tests); default: the global fetch at call time. */
  fetch?: Fetch;
  /** Where the refresh token lives; default: window.sessionStorage; null: nowhere. */
  storage?: Storage | null;
  now?: () => number;
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date). */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const n = Number(header);
  if (Number.isFinite(n)) return Math.max(1, Math.ceil(n));
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(1, Math.ceil((at - now) / 1000));
}

export class AuthSession {
  private access: string | null = null;
  private accessExpiresAt = 0;
  private refreshing: Promise<RefreshOutcome> | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly opts: SessionOptions = {}) {}

  /** The underlying fetch, never with credentials added (login, refresh, retries). */
  rawFetch: Fetch = (input, init) => (this.opts.fetch ?? globalThis.fetch)(input, init);

  private get storage(): Storage | null {
    if (this.opts.storage !== undefined) return this.opts.storage;
    try {
      return typeof window === "undefined" ? null : window.sessionStorage;
    } catch {
      return null; // storage disabled by the browser: a reload asks for the password
    }
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  get refreshToken(): string | null {
    try {
      return this.storage?.getItem(REFRESH_KEY) ?? null;
    } catch {
      return null;
    }
  }

  /** The current `Authorization` value, or null (local mode, or not logged in). */
  get authorization(): string | null {
    return this.access ? `Bearer ${this.access}` : null;
  }

  store(pair: TokenPairLike): void {
    this.access = pair.access_token;
    this.accessExpiresAt = this.now() + pair.expires_in * 1000;
    try {
      this.storage?.setItem(REFRESH_KEY, pair.refresh_token);
    } catch {
      // storage full or disabled: this tab keeps working until the access token expires
    }
  }

  clear(): void {
    this.access = null;
    this.accessExpiresAt = 0;
    try {
      this.storage?.removeItem(REFRESH_KEY);
    } catch {
      // nothing stored
    }
  }

  /** Called when a session ended (refresh refused, or a retried request still 401). */
  onExpired(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forget the credentials and tell the UI to show the login page. */
  expire(): void {
    this.clear();
    for (const l of [...this.listeners]) l();
  }

  /**
   * Exchange the refresh token for a new pair. Concurrent callers share ONE request: the
   * server rotates refresh tokens and treats a second use of the old one as theft.
   */
  refresh(): Promise<RefreshOutcome> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<RefreshOutcome> {
    const token = this.refreshToken;
    if (!token) return "none";
    let res: Response;
    try {
      res = await this.rawFetch(`${AUTH}/refresh`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: token }),
      });
    } catch {
      return "unavailable"; // network: keep the refresh token, it may still be good
    }
    if (res.ok) {
      this.store((await res.json()) as TokenPairLike);
      return "ok";
    }
    if (res.status === 429 || res.status >= 500) return "unavailable";
    this.clear(); // 401 (expired, revoked, replayed) or malformed: the session is over
    return "rejected";
  }

  /** The header for the next request: refreshes first when the access token is (nearly) expired. */
  async authorizationForRequest(): Promise<string | null> {
    if (this.refreshToken && (!this.access || this.now() > this.accessExpiresAt - EARLY_MS)) {
      await this.refresh();
    }
    return this.authorization;
  }

  /**
   * A request sent with `used` got 401. True: a (new) token is available, retry once.
   * Another request may have refreshed meanwhile; then no second refresh is made.
   */
  async recover(used: string | null): Promise<boolean> {
    const current = this.authorization;
    if (current && current !== used) return true;
    const outcome = await this.refresh();
    if (outcome === "ok") return true;
    // never logged in (first visit in server mode): nothing to expire, the caller's 401
    // already leads to the login page
    if (outcome === "rejected" || (outcome === "none" && used !== null)) this.expire();
    return false;
  }

  /** fetch with `Authorization`; on a 401 one refresh and one retry (downloads, SSE, ...). */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const send = (auth: string | null) => {
      const headers = new Headers(init.headers);
      if (auth) headers.set("Authorization", auth);
      return this.rawFetch(url, { ...init, headers });
    };
    const auth = await this.authorizationForRequest();
    const res = await send(auth);
    if (res.status !== 401 || !(await this.recover(auth))) return res;
    const again = await send(this.authorization);
    if (again.status === 401) this.expire();
    return again;
  }

  /** POST /auth/login; stores the tokens. Throws a LoginError with a readable message. */
  async login<T extends TokenPairLike>(email: string, password: string, organization?: string): Promise<T> {
    let res: Response;
    try {
      res = await this.rawFetch(`${AUTH}/login`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(organization ? { email, password, organization } : { email, password }),
      });
    } catch {
      throw new LoginError("Cannot reach the server. Check your connection and try again.", 0);
    }
    if (res.ok) {
      const pair = (await res.json()) as T;
      this.store(pair);
      return pair;
    }
    const body = (await res.json().catch(() => ({}))) as { detail?: unknown };
    const detail = typeof body.detail === "string" ? body.detail : undefined;
    if (res.status === 401) throw new LoginError("Wrong email or password.", 401);
    if (res.status === 429) {
      const wait = retryAfterSeconds(res.headers.get("Retry-After")) ?? 60;
      throw new LoginError(`Too many attempts: retry in ${wait} s.`, 429, wait);
    }
    if (res.status === 422) throw new LoginError("Enter your email address and password.", 422);
    throw new LoginError(detail ?? `Login failed (HTTP ${res.status}).`, res.status);
  }

  /** Revoke the session on the server (best effort) and forget the tokens. */
  async logout(): Promise<void> {
    const token = this.refreshToken;
    this.clear();
    if (!token) return;
    try {
      await this.rawFetch(`${AUTH}/logout`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: token }),
      });
    } catch {
      // offline: the access token expires on its own within minutes
    }
  }
}

const PUBLIC = /\/api\/v1\/auth\/(login|refresh|logout)$/;

/**
 * openapi-fetch middleware: adds `Authorization: Bearer` and, on a 401, refreshes once
 * (shared with concurrent requests) and retries the request once with the new token.
 * A second 401, or a refused refresh, ends the session (the UI shows the login page).
 */
export function authMiddleware(session: AuthSession): Middleware {
  const pending = new Map<string, { retry: Request; used: string | null }>();
  return {
    async onRequest({ request, id }) {
      if (PUBLIC.test(new URL(request.url, "http://x").pathname)) return undefined;
      const used = await session.authorizationForRequest();
      if (used) request.headers.set("Authorization", used);
      // keep a copy: the body of the original is consumed when it is sent
      pending.set(id, { retry: request.clone(), used });
      return request;
    },
    async onResponse({ response, id }) {
      const entry = pending.get(id);
      pending.delete(id);
      if (!entry || response.status !== 401) return undefined;
      if (!(await session.recover(entry.used))) return undefined;
      const retry = entry.retry;
      retry.headers.set("Authorization", session.authorization ?? "");
      const again = await session.rawFetch(retry);
      if (again.status === 401) session.expire();
      return again;
    },
    onError({ id }) {
      pending.delete(id);
      return undefined;
    },
  };
}

/** The app's one session. */
export const session = new AuthSession();
