/**
 * Component-test helpers: a stand-in for the generated client's `api.GET` that answers by
 * path (install with `vi.mock("../../client/api", mockApiModule)`), and a render wrapper
 * with a fresh query client and router.
 */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router-dom";
import { vi } from "vitest";

export interface Call {
  path: string;
  params: { path?: Record<string, unknown>; query?: Record<string, unknown> };
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

export function resetApi() {
  routes.clear();
  calls.length = 0;
  GET.mockClear();
}

export function renderWithClient(ui: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter>{ui}</MemoryRouter>
    </QueryClientProvider>,
  );
}
