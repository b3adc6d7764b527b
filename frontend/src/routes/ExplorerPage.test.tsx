import { cleanup, fireEvent, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { compoundHit, compoundPage } from "../test/compoundFixtures";
import { GET, calls, renderAt, resetApi, routes } from "../test/mockApi";
import { ExplorerPage } from "./ExplorerPage";

vi.mock("../client/api", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../client/api")>()),
  api: { GET: (...args: Parameters<typeof GET>) => GET(...args) },
}));

const COMPOUNDS = "/api/v1/compounds";
const MATERIALS = "/api/v1/materials";

beforeEach(() => {
  resetApi();
  localStorage.clear();
});
afterEach(cleanup);

const show = (url: string) => renderAt(url, "/materials", <ExplorerPage />);

describe("ExplorerPage, known compounds", () => {
  it("lists one row per compound by default, with values, structures, ids and entries", async () => {
    routes.set(COMPOUNDS, () => ({ status: 200, body: compoundPage([compoundHit()]) }));
    show("/materials?q=LiFePO4");
    const table = await screen.findByTestId("compounds-table");
    const rows = within(table).getAllByTestId("compound-row");
    expect(rows).toHaveLength(1);
    const link = within(rows[0]).getByTestId("compound-link");
    expect(link.getAttribute("href")).toBe("/compounds/7");
    expect(link.textContent).toBe("LiFePO4");
    expect(rows[0].querySelector("[data-property=band_gap]")?.textContent).toBe("3.69");
    expect(rows[0].querySelector("[data-property=bulk_modulus]")?.textContent).toBe("—");
    expect(rows[0].textContent).toContain("2 (SG 62)");
    expect(within(rows[0]).getByRole("link", { name: "mp-19017" }).getAttribute("href")).toContain(
      "materialsproject.org",
    );
    expect(within(rows[0]).getByText("AB_x").tagName).toBe("SPAN");
    expect(within(table).getByRole("columnheader", { name: /Band gap \(eV\)/ })).toBeTruthy();
    expect(screen.getByTestId("result-count").textContent).toBe("1 known compound");
    expect(calls).toHaveLength(1);
    expect(calls[0].path).toBe(COMPOUNDS);
    expect(calls[0].params.query).toMatchObject({ formula: "LiFePO4", sort: "id", order: "asc", limit: 25 });
  });

  it("maps the shared filters and has-structure onto the compound search", async () => {
    routes.set(COMPOUNDS, () => ({ status: 200, body: compoundPage([]) }));
    show("/materials?q=Fe-O&include=Li&exclude=Na&crystal_system=cubic&space_group=225&band_gap_min=1&has_structure=1");
    expect(await screen.findByText(/No known compound matches/)).toBeTruthy();
    expect(calls[0].params.query).toMatchObject({
      chemical_system: "Fe-O",
      elements: ["Li"],
      elements_exclude: ["Na"],
      crystal_system: "cubic",
      space_group_number: 225,
      band_gap_min: 1,
      has_structure: true,
    });
    expect(screen.getByLabelText<HTMLInputElement>("Has a known structure").checked).toBe(true);
  });

  it("sends nothing while a range is inverted and says which one", async () => {
    routes.set(COMPOUNDS, () => ({ status: 200, body: compoundPage([compoundHit()]) }));
    show("/materials?band_gap_min=3&band_gap_max=1");
    const alert = screen.getByTestId("range-error");
    expect(alert.textContent).toContain("Band gap: the minimum (3) is above the maximum (1).");
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toHaveLength(0);
    // fixing the maximum sends the search
    const max = screen.getByLabelText("Band gap maximum");
    fireEvent.change(max, { target: { value: "5" } });
    fireEvent.blur(max);
    await screen.findByTestId("compounds-table");
    expect(screen.queryByTestId("range-error")).toBeNull();
    expect(calls[0].params.query).toMatchObject({ band_gap_min: 3, band_gap_max: 5 });
  });
});

describe("ExplorerPage, your materials", () => {
  it("lists only your materials (no reference rows) and keeps the view in the URL", async () => {
    routes.set(COMPOUNDS, () => ({ status: 200, body: compoundPage([compoundHit()]) }));
    routes.set(MATERIALS, () => ({
      status: 200,
      body: { items: [], total: 0, total_is_estimate: false, next_cursor: null },
    }));
    show("/materials?q=TiO2");
    await screen.findByTestId("compounds-table");
    fireEvent.click(screen.getByLabelText("Your materials"));
    expect(await screen.findByText(/None of your materials match/)).toBeTruthy();
    const query = calls.at(-1)!;
    expect(query.path).toBe(MATERIALS);
    expect(query.params.query).toMatchObject({ formula: "TiO2", include_reference: false, sort: "id", order: "desc" });
    expect(screen.queryByLabelText("Has a known structure")).toBeNull();
  });
});
