import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GET, calls, renderWithClient, resetApi, routes } from "../../test/mockApi";
import { compoundHit, structure } from "../../test/compoundFixtures";
import { material, similarPage } from "../../test/thermoFixtures";
import { SIMILAR_K, SimilarMaterials } from "./SimilarMaterials";

vi.mock("../../client/api", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../client/api")>()),
  api: { GET: (...args: Parameters<typeof GET>) => GET(...args) },
}));

const SIMILAR = "/api/v1/materials/{material_id}/similar";

beforeEach(resetApi);
afterEach(cleanup);

describe("SimilarMaterials", () => {
  it("lists the neighbours by composition with links, similarity and source", async () => {
    routes.set(SIMILAR, () => ({ status: 200, body: similarPage("composition", 2) }));
    renderWithClient(<SimilarMaterials material={material()} />);
    expect(screen.getByRole("status").textContent).toMatch(/searching/i);
    const links = await screen.findAllByTestId("similar-link");
    expect(links.map((a) => a.getAttribute("href"))).toEqual(["/materials/100", "/materials/101"]);
    expect(links[0].textContent).toBe("Ti11O14");
    const rows = screen.getAllByRole("row").slice(1);
    expect(within(rows[0]).getByText("0.980")).toBeTruthy();
    expect(within(rows[0]).getByText("Materials Project")).toBeTruthy();
    expect(within(rows[1]).getByText("OQMD")).toBeTruthy();
    expect(rows[1].textContent).toContain("2 entries");
    expect(calls[0].params).toEqual({ path: { material_id: 42 }, query: { k: SIMILAR_K, by: "composition" } });
  });

  it("switches to structure neighbours with the keyboard-usable toggle and shows the empty state", async () => {
    routes.set(SIMILAR, (call) =>
      call.params.query?.by === "structure"
        ? { status: 200, body: similarPage("structure", 0) }
        : { status: 200, body: similarPage("composition", 3) },
    );
    renderWithClient(<SimilarMaterials material={material()} />);
    await screen.findAllByTestId("similar-link");
    const structure = screen.getByLabelText("Structure") as HTMLInputElement;
    expect(structure.disabled).toBe(false);
    fireEvent.click(structure);
    expect(await screen.findByText(/no other material with a structure/i)).toBeTruthy();
    expect(screen.queryAllByTestId("similar-link")).toHaveLength(0);
    expect(calls.map((c) => c.params.query?.by)).toEqual(["composition", "structure"]);
  });

  it("offers structure search only for materials with a structure", async () => {
    routes.set(SIMILAR, () => ({ status: 200, body: similarPage("composition", 1) }));
    renderWithClient(<SimilarMaterials material={material({ nsites: null })} />);
    expect((screen.getByLabelText("Structure") as HTMLInputElement).disabled).toBe(true);
    expect((screen.getByLabelText("Composition") as HTMLInputElement).checked).toBe(true);
    await screen.findAllByTestId("similar-link");
  });

  it("links known formulas to their compound page and lists this compound's other structures", async () => {
    const page = similarPage("composition", 2);
    page.items[0] = { ...page.items[0], compound: compoundHit({ id: 77, reduced_formula: "Ti11O14" }) };
    page.query_compound = compoundHit({ id: 5, reduced_formula: "TiO2" });
    page.other_structures = [
      structure({ material_id: 300, label: "mp-2657", source_id: "mp-2657", space_group_number: 136 }),
    ];
    routes.set(SIMILAR, () => ({ status: 200, body: page }));
    renderWithClient(<SimilarMaterials material={material()} />);
    const links = await screen.findAllByTestId("similar-link");
    expect(links.map((a) => a.getAttribute("href"))).toEqual(["/compounds/77", "/materials/101"]);
    expect(screen.getByTestId("query-compound").getAttribute("href")).toBe("/compounds/5");
    const other = screen.getByTestId("other-structures");
    expect(other.textContent).toContain("Other structures of this compound (1)");
    expect(within(other).getByRole("link", { name: "mp-2657" }).getAttribute("href")).toBe("/materials/300");
  });

  it("links structure neighbours to the structure itself and marks the same structure type", async () => {
    const page = similarPage("structure", 1);
    page.items[0] = { ...page.items[0], compound: compoundHit({ id: 77 }), isostructural: true };
    routes.set(SIMILAR, (call) =>
      call.params.query?.by === "structure" ? { status: 200, body: page } : { status: 200, body: similarPage("composition", 1) },
    );
    renderWithClient(<SimilarMaterials material={material()} />);
    await screen.findAllByTestId("similar-link");
    fireEvent.click(screen.getByLabelText("Structure"));
    await screen.findByText("same structure type");
    expect(screen.getByTestId("similar-link").getAttribute("href")).toBe("/materials/100");
  });

  it("shows the server's error message", async () => {
    routes.set(SIMILAR, () => ({ status: 404, body: { detail: "material 42 not found" } }));
    renderWithClient(<SimilarMaterials material={material()} />);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("material 42 not found");
    await waitFor(() => expect(screen.queryByRole("status")).toBeNull());
  });
});
