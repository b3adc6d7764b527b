import { describe, expect, it, vi } from "vitest";
import { AuthSession, authMiddleware, REFRESH_KEY, retryAfterSeconds } from "./session";

class MemoryStorage implements Storage {
  private m = new Map<string, string>();
  get length() {
    return this.m.size;
  }
  clear() {
    this.m.clear();
  }
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  key(i: number) {
    return [...this.m.keys()][i] ?? null;
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });

const pair = (n: number, expiresIn = 900) => ({
  access_token: `access-${n}`,
  expires_in: expiresIn,
  refresh_token: `refresh-${n}`,
  refresh_expires_in: 86400,
});

/**
 * A fake server: the access token `access-N` is valid iff N is the current generation;
 * POST /auth/refresh with `refresh-N` (current) rotates to N+1, slowly (so that concurrent
 * requests overlap), and a replayed token is refused.
 */
function fakeServer(start = 1) {
  let generation = start;
  const seen: Array<{ url: string; auth: string | null; body?: string }> = [];
  let refreshes = 0;
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(new URL(String(input), "http://test"), init);
    const url = new URL(req.url).pathname;
    const body = req.method === "GET" ? undefined : await req.text();
    seen.push({ url, auth: req.headers.get("Authorization"), body });
    if (url === "/api/v1/auth/refresh") {
      refreshes++;
      await new Promise((r) => setTimeout(r, 20));
      const token = (JSON.parse(body!) as { refresh_token: string }).refresh_token;
      if (token !== `refresh-${generation}`) return json(401, { detail: "refresh token reused" });
      generation++;
      return json(200, pair(generation));
    }
    if (req.headers.get("Authorization") !== `Bearer access-${generation}`) {
      return json(401, { detail: "the access token has expired; refresh it" }, { "WWW-Authenticate": "Bearer" });
    }
    return json(200, { ok: true, url, body });
  });
  return {
    fetch,
    seen,
    get refreshes() {
      return refreshes;
    },
  };
}

function loggedIn(server: ReturnType<typeof fakeServer>, storage = new MemoryStorage()) {
  const s = new AuthSession({ fetch: server.fetch, storage });
  s.store(pair(1));
  return s;
}

describe("AuthSession.fetch", () => {
  it("adds the bearer token", async () => {
    const server = fakeServer();
    const s = loggedIn(server);
    const res = await s.fetch("/api/v1/materials");
    expect(res.status).toBe(200);
    expect(server.seen[0].auth).toBe("Bearer access-1");
    expect(server.refreshes).toBe(0);
  });

  it("refreshes once on a 401 and retries the request with the new token", async () => {
    const server = fakeServer();
    const storage = new MemoryStorage();
    const s = new AuthSession({ fetch: server.fetch, storage });
    // an access token the server no longer accepts (expired), a current refresh token
    s.store({ access_token: "access-0", expires_in: 900, refresh_token: "refresh-1" });
    const res = await s.fetch("/api/v1/jobs/1/results?format=csv");
    expect(res.status).toBe(200);
    expect(server.refreshes).toBe(1);
    expect(server.seen.map((x) => x.url)).toEqual([
      "/api/v1/jobs/1/results",
      "/api/v1/auth/refresh",
      "/api/v1/jobs/1/results",
    ]);
    expect(server.seen[2].auth).toBe("Bearer access-2");
    expect(storage.getItem(REFRESH_KEY)).toBe("refresh-2"); // rotated
  });

  it("serialises concurrent refreshes into one request", async () => {
    const server = fakeServer();
    const s = new AuthSession({ fetch: server.fetch, storage: new MemoryStorage() });
    s.store({ access_token: "access-0", expires_in: 900, refresh_token: "refresh-1" });
    const results = await Promise.all([1, 2, 3, 4].map((i) => s.fetch(`/api/v1/materials/${i}`)));
    // one refresh: a second one would replay refresh-1, which the server treats as theft
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(server.refreshes).toBe(1);
  });

  it("a request that got its 401 after another one refreshed just retries", async () => {
    const server = fakeServer();
    const s = new AuthSession({ fetch: server.fetch, storage: new MemoryStorage() });
    s.store({ access_token: "access-0", expires_in: 900, refresh_token: "refresh-1" });
    await s.fetch("/api/v1/a"); // refreshes to generation 2
    expect(server.refreshes).toBe(1);
    expect(await s.recover("Bearer access-0")).toBe(true); // stale 401: no second refresh
    expect(server.refreshes).toBe(1);
  });

  it("ends the session when the refresh is refused, without retrying", async () => {
    const server = fakeServer();
    const storage = new MemoryStorage();
    const s = new AuthSession({ fetch: server.fetch, storage });
    s.store({ access_token: "access-0", expires_in: 900, refresh_token: "refresh-stolen" });
    const expired = vi.fn();
    s.onExpired(expired);
    const res = await s.fetch("/api/v1/materials");
    expect(res.status).toBe(401);
    expect(expired).toHaveBeenCalledTimes(1);
    expect(storage.getItem(REFRESH_KEY)).toBeNull();
    expect(s.authorization).toBeNull();
    expect(server.seen.map((x) => x.url)).toEqual(["/api/v1/materials", "/api/v1/auth/refresh"]);
  });

  it("ends the session when the retried request is still 401", async () => {
    const fetch = vi.fn(async (input: RequestInfo | URL) =>
      String(input).endsWith("/auth/refresh") ? json(200, pair(2)) : json(401, { detail: "no" }),
    );
    const s = new AuthSession({ fetch, storage: new MemoryStorage() });
    s.store(pair(1));
    const expired = vi.fn();
    s.onExpired(expired);
    expect((await s.fetch("/api/v1/x")).status).toBe(401);
    expect(fetch).toHaveBeenCalledTimes(3); // request, refresh, ONE retry
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it("local mode: no header, no refresh, nothing expires", async () => {
    const fetch = vi.fn(async () => json(200, []));
    const s = new AuthSession({ fetch, storage: new MemoryStorage() });
    await s.fetch("/api/v1/materials");
    const headers = new Headers((fetch.mock.calls[0] as unknown as [string, RequestInit])[1].headers);
    expect(headers.has("Authorization")).toBe(false);
    // first visit in server mode: 401, no refresh token → no refresh call, no "session ended"
    const anonymous = vi.fn(async () => json(401, { detail: "log in" }));
    const s2 = new AuthSession({ fetch: anonymous, storage: new MemoryStorage() });
    const expired = vi.fn();
    s2.onExpired(expired);
    expect((await s2.fetch("/api/v1/auth/me")).status).toBe(401);
    expect(anonymous).toHaveBeenCalledTimes(1);
    expect(expired).not.toHaveBeenCalled();
  });

  it("refreshes proactively shortly before the access token expires", async () => {
    const server = fakeServer();
    let now = 1_000_000;
    const s = new AuthSession({ fetch: server.fetch, storage: new MemoryStorage(), now: () => now });
    s.store(pair(1, 60));
    await s.fetch("/api/v1/a");
    expect(server.refreshes).toBe(0);
    now += 50_000; // 10 s left
    await s.fetch("/api/v1/b");
    expect(server.refreshes).toBe(1);
    expect(server.seen.at(-1)).toMatchObject({ url: "/api/v1/b", auth: "Bearer access-2" });
  });

  it("a reload (refresh token only) refreshes before the first request", async () => {
    const server = fakeServer();
    const storage = new MemoryStorage();
    storage.setItem(REFRESH_KEY, "refresh-1");
    const s = new AuthSession({ fetch: server.fetch, storage });
    expect((await s.fetch("/api/v1/auth/me")).status).toBe(200);
    expect(server.seen.map((x) => x.url)).toEqual(["/api/v1/auth/refresh", "/api/v1/auth/me"]);
  });
});

describe("AuthSession.login / logout", () => {
  it("explains a wrong password and throttling", async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(json(401, { detail: "wrong email or password" }))
      .mockResolvedValueOnce(json(429, { detail: "too many failed logins" }, { "Retry-After": "42" }))
      .mockRejectedValueOnce(new TypeError("Failed to fetch"));
    const s = new AuthSession({ fetch, storage: new MemoryStorage() });
    await expect(s.login("a@b.org", "nope")).rejects.toMatchObject({ status: 401, message: "Wrong email or password." });
    await expect(s.login("a@b.org", "nope")).rejects.toMatchObject({
      status: 429,
      retryAfter: 42,
      message: "Too many attempts: retry in 42 s.",
    });
    await expect(s.login("a@b.org", "nope")).rejects.toMatchObject({ status: 0 });
  });

  it("stores the pair on login and revokes it on logout", async () => {
    const storage = new MemoryStorage();
    const fetch = vi.fn().mockResolvedValueOnce(json(200, pair(7))).mockResolvedValueOnce(json(204, null));
    const s = new AuthSession({ fetch, storage });
    await s.login("a@b.org", "right", "my-lab");
    expect(JSON.parse((fetch.mock.calls[0] as [string, RequestInit])[1].body as string)).toEqual({
      email: "a@b.org",
      password: "right",
      organization: "my-lab",
    });
    expect(s.authorization).toBe("Bearer access-7");
    expect(storage.getItem(REFRESH_KEY)).toBe("refresh-7");
    await s.logout();
    expect(fetch.mock.calls[1][0]).toBe("/api/v1/auth/logout");
    expect(JSON.parse((fetch.mock.calls[1] as [string, RequestInit])[1].body as string)).toEqual({
      refresh_token: "refresh-7",
    });
    expect(s.authorization).toBeNull();
    expect(storage.getItem(REFRESH_KEY)).toBeNull();
  });
});

describe("authMiddleware (openapi-fetch)", () => {
  it("adds the header, and on a 401 retries once with the body intact", async () => {
    const server = fakeServer();
    const s = new AuthSession({ fetch: server.fetch, storage: new MemoryStorage() });
    s.store({ access_token: "access-0", expires_in: 900, refresh_token: "refresh-1" });
    const mw = authMiddleware(s);
    const request = new Request("http://test/api/v1/predictions", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ formula: "GaN" }),
    });
    const base = { id: "r1", schemaPath: "/api/v1/predictions", params: {}, options: {} as never };
    const sent = (await mw.onRequest!({ ...base, request })) as Request;
    expect(sent.headers.get("Authorization")).toBe("Bearer access-0");
    const first = await server.fetch(sent);
    expect(first.status).toBe(401);
    const retried = (await mw.onResponse!({ ...base, request: sent, response: first })) as Response;
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ body: '{"formula":"GaN"}' });
    expect(server.seen.at(-1)!.auth).toBe("Bearer access-2");
    expect(server.refreshes).toBe(1);
  });

  it("leaves login requests alone", async () => {
    const s = new AuthSession({ fetch: vi.fn(), storage: new MemoryStorage() });
    s.store(pair(1));
    const mw = authMiddleware(s);
    const request = new Request("http://test/api/v1/auth/login", { method: "POST", body: "{}" });
    const base = { id: "r2", schemaPath: "/api/v1/auth/login", params: {}, options: {} as never };
    expect(await mw.onRequest!({ ...base, request })).toBeUndefined();
    const response = json(401, { detail: "wrong email or password" });
    expect(await mw.onResponse!({ ...base, request, response })).toBeUndefined();
  });
});

it("reads Retry-After as seconds or a date", () => {
  expect(retryAfterSeconds("30")).toBe(30);
  expect(retryAfterSeconds(null)).toBeUndefined();
  expect(retryAfterSeconds(new Date(10_000 + 5_000).toUTCString(), 10_000)).toBe(5);
});
