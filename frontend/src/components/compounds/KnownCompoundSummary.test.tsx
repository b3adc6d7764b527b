import { cleanup, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GET, renderWithClient, resetApi, routes } from "../../test/mockApi";
import { KnownCompoundSummary } from "./KnownCompoundSummary";

vi.mock("../../client/api", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../client/api")>()),
  api: { GET: (...args: Parameters<typeof GET>) => GET(...args) },
}));

const COMPOUND = "/api/v1/compounds/{key}";
beforeEach(resetApi);
afterEach(cleanup);

describe("KnownCompoundSummary (home page formula prediction)", () => {
  it("says a 404 means not a known compound", async () => {
    routes.set(COMPOUND, () => ({ status: 404, body: { detail: "no compound XeF9" } }));
    renderWithClient(<KnownCompoundSummary formula="XeF9" />);
    expect((await screen.findByTestId("known-compound")).textContent).toMatch(/not a known compound/);
  });

  it("shows the headline reference values of a known compound", async () => {
    routes.set(COMPOUND, () => ({
      status: 200,
      body: {
        id: 1,
        reduced_formula: "GaN",
        n_entries: 3,
        n_structures: 2,
        reference_values: [
          { property: "band_gap", display_name: "Band gap", value: 1.7332, unit: "eV", headline: true, table: "mp", source_database: "materials_project" },
          { property: "band_gap", display_name: "Band gap", value: 3.4, unit: "eV", headline: false, table: "expt", source_database: "experiment" },
        ],
      },
    }));
    renderWithClient(<KnownCompoundSummary formula="GaN" />);
    const values = await screen.findByTestId("known-values");
    expect(values.textContent).toBe("Band gap1.73 eV (Materials Project)");
    expect(screen.getByRole("link", { name: "compound page" }).getAttribute("href")).toBe("/compounds/GaN");
  });
});
