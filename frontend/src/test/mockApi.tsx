/**
 * Component-test helpers: stand-ins for the generated client's `api.GET` and `api.POST`
 * that answer by path (install with `vi.mock("../../client/api", ...)` as the tests do),
 * and render wrappers with a fresh query client and router.
 */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { vi } from "vitest";

export interface Call {
  path: string;
  params: { path?: Record<string, unknown>; query?: Record<string, unknown> };
  body?: unknown;
}

type Responder = (call: Call) => { status: number; body: unknown } | Promise<{ status: number; body: unknown }>;

export const routes = new Map<string, Responder>();
export const calls: Call[] = [];

/** `api.GET(path, {params})` answered from `routes` in the openapi-fetch result shape. */
export const GET = vi.fn(async (path: string, init?: { params?: Call["params"] }) => {
  const call = { path, params: init?.params ?? {} };
  calls.push(call);
  const responder = routes.get(path);
  const { status, body } = responder ? await responder(call) : { status: 404, body: { detail: `no route ${path}` } };
  const ok = status >= 200 && status < 300;
  return ok
    ? { data: body, response: { ok, status } as Response }
    : { error: body, response: { ok, status } as Response };
});

/** `POST` answers, by path; calls are recorded in `calls` with their body. */
export const postRoutes = new Map<string, Responder>();

export const POST = vi.fn(async (path: string, init?: { params?: Call["params"]; body?: unknown }) => {
  const call = { path, params: init?.params ?? {}, body: init?.body };
  calls.push(call);
  const responder = postRoutes.get(path);
  const { status, body } = responder ? await responder(call) : { status: 404, body: { detail: `no route ${path}` } };
  const ok = status >= 200 && status < 300;
  return ok
    ? { data: body, response: { ok, status } as Response }
    : { error: body, response: { ok, status } as Response };
});

export function resetApi() {
  routes.clear();
  postRoutes.clear();
  calls.length = 0;
  GET.mockClear();
  POST.mockClear();
}

export function renderWithClient(ui: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter>{ui}</MemoryRouter>
    </QueryClientProvider>,
  );
}

/** Render `ui` as the element of route `pattern`, at `url` (for pages reading `useParams`). */
export function renderAt(url: string, pattern: string, ui: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[url]}>
        <Routes>
          <Route path={pattern} element={ui} />
          <Route path="*" element={<p data-testid="elsewhere">elsewhere</p>} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}
