import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../client/api";
import { compoundDetail, ownMaterial, structure } from "../test/compoundFixtures";
import { bandGap } from "../test/fixtures";
import { GET, POST, calls, postRoutes, renderAt, resetApi, routes } from "../test/mockApi";
import { CompoundPage, retryUnlessClientError } from "./CompoundPage";

vi.mock("../client/api", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../client/api")>()),
  api: {
    GET: (...args: Parameters<typeof GET>) => GET(...args),
    POST: (...args: Parameters<typeof POST>) => POST(...args),
  },
}));
// WebGL is not available in jsdom: the viewer panel says which material it would draw
vi.mock("../components/viewer/ViewerPanel", () => ({
  ViewerPanel: ({ materialId }: { materialId: number }) => (
    <div data-testid="viewer" data-material={materialId} />
  ),
}));

const DETAIL = "/api/v1/compounds/{key}";

beforeEach(resetApi);
afterEach(cleanup);

const show = (detail = compoundDetail()) => {
  routes.set(DETAIL, () => ({ status: 200, body: detail }));
  return renderAt("/compounds/LiFePO4", "/compounds/:key", <CompoundPage />);
};

describe("CompoundPage", () => {
  it("shows the formula with subscripts, chemical system, prototype and source links", async () => {
    show();
    const h1 = await screen.findByRole("heading", { level: 1 });
    expect(h1.textContent).toContain("LiFePO4");
    expect(h1.querySelector("sub")?.textContent).toBe("4");
    const meta = screen.getByTestId("compound-meta");
    expect(meta.textContent).toContain("Fe-Li-O-P");
    expect(meta.textContent).toContain("ABCD4");
    const mp = within(meta).getByRole("link", { name: "mp-19017" });
    expect(mp.getAttribute("href")).toBe("https://next-gen.materialsproject.org/materials/mp-19017");
    // no public page: the id is text, not a link
    expect(within(meta).getByText("AB_x").tagName).toBe("SPAN");
    expect(calls[0].params).toEqual({ path: { key: "LiFePO4" } });
  });

  it("groups reference values by property with headline, source, entries, range and provenance", async () => {
    show();
    const table = await screen.findByTestId("reference-values");
    const groups = table.querySelectorAll("tbody");
    // catalogue order: formation energy before band gap
    expect([...groups].map((g) => g.dataset.property)).toEqual(["formation_energy", "band_gap"]);
    const [formation, oqmd] = within(groups[0] as HTMLElement).getAllByTestId("reference-value");
    expect(formation.textContent).toContain("-2.53 eV/atom");
    expect(formation.textContent).toContain("headline");
    expect(formation.textContent).toContain("Materials Project · mp_e_form");
    expect(within(formation).getByTestId("n-entries").textContent).toBe("3");
    expect(formation.textContent).toContain("-2.53 to -2.41 eV/atom");
    expect(formation.textContent).toContain("and 1 more");
    expect(within(formation).getByRole("link", { name: "mp-19017" }).getAttribute("href")).toContain(
      "materialsproject.org/materials/mp-19017",
    );
    expect(
      within(formation).getByRole("link", { name: "Matbench mp_e_form, row 75208" }).getAttribute("href"),
    ).toBe("/materials/901");
    expect(formation.querySelector("details.provenance")?.textContent).toContain("CC BY 4.0");
    // one entry: no range, not the headline
    expect(oqmd.textContent).toContain("OQMD · oqmd_formation_enthalpy");
    expect(oqmd.textContent).not.toContain("headline");
    expect(oqmd.textContent).not.toContain(" to ");
  });

  it("draws the first known structure and switches the viewer and downloads on selection", async () => {
    show();
    const list = await screen.findByTestId("known-structures");
    expect(screen.getByTestId("viewer").dataset.material).toBe("501");
    expect(screen.getByTestId("download-cif").getAttribute("href")).toBe(
      "/api/v1/materials/501/structure?format=cif",
    );
    expect(list.textContent).toContain("Pnma");
    expect(list.textContent).toContain("E_hull 0.052 eV/atom");
    expect(list.querySelector("[data-selected=true]")?.textContent).toContain("mp-19017");
    fireEvent.click(screen.getByLabelText("Show mp-585433"));
    expect(screen.getByTestId("viewer").dataset.material).toBe("502");
    expect(screen.getByTestId("download-poscar").getAttribute("href")).toBe(
      "/api/v1/materials/502/structure?format=poscar",
    );
  });

  it("shows computed MP entries before labelled prototypes", async () => {
    const prototype = structure({
      material_id: 600,
      source_database: "aflow_prototypes",
      source_id: "AB_cF8_225_a_b",
      label: "AB_cF8_225_a_b",
      url: "https://aflow.org/prototype-encyclopedia/AB_cF8_225_a_b.html",
      properties: {},
    });
    show(compoundDetail({ structures: [prototype, structure()] }));
    const list = await screen.findByTestId("known-structures");
    expect([...list.querySelectorAll("li")].map((li) => li.querySelector("a")?.textContent)).toEqual([
      "mp-19017",
      "AB_cF8_225_a_b",
    ]);
    expect(screen.getByTestId("viewer").dataset.material).toBe("501");
  });

  it("says when there is no known structure, with no viewer and no downloads", async () => {
    show(compoundDetail({ structures: [], n_structures: 0 }));
    expect((await screen.findByTestId("no-structures")).textContent).toContain("No known crystal structure");
    expect(screen.queryByTestId("viewer")).toBeNull();
    expect(screen.queryByTestId("download-cif")).toBeNull();
  });

  it("lists your materials with predictions ± σ beside the reference values", async () => {
    show(compoundDetail({ own_materials: [ownMaterial()], own_materials_total: 1 }));
    const own = await screen.findByTestId("own-materials");
    expect(within(own).getByRole("link", { name: /#42/ }).getAttribute("href")).toBe("/materials/42");
    const cell = within(own).getByTestId("own-prediction");
    expect(cell.textContent).toBe("1.59 ± 0.103");
    expect(within(own).getByRole("columnheader", { name: "Band gap (eV)" })).toBeTruthy();
    const reference = own.querySelector(".reference-row")!;
    expect(reference.textContent).toContain("3.69");
    expect(own.textContent).toContain("Matches mp-19017");
    expect(within(own).queryByTestId("predict-formula")).toBeNull();
  });

  it("offers Predict for the formula when you have no material of it", async () => {
    postRoutes.set("/api/v1/predictions", () => ({
      status: 200,
      body: { input: "formula", formula: "LiFePO4", material_id: null, predictions: [bandGap()], warnings: [] },
    }));
    show();
    fireEvent.click(await screen.findByTestId("predict-formula"));
    expect(await screen.findByTestId("property-card")).toBeTruthy();
    expect(calls.at(-1)).toMatchObject({ path: "/api/v1/predictions", body: { formula: "LiFePO4", relax: false } });
  });

  it("answers an unknown compound with a not-found message and asks once", async () => {
    routes.set(DETAIL, () => ({ status: 404, body: { detail: "no known compound 'Xe7Au3'" } }));
    renderAt("/compounds/Xe7Au3", "/compounds/:key", <CompoundPage />);
    expect((await screen.findByTestId("compound-not-found")).textContent).toContain("No known compound “Xe7Au3”");
    await new Promise((r) => setTimeout(r, 50));
    expect(GET).toHaveBeenCalledTimes(1);
  });

  it("does not retry client errors, retries a failed connection twice", () => {
    expect(retryUnlessClientError(0, new ApiError("gone", 404))).toBe(false);
    expect(retryUnlessClientError(0, new ApiError("bad", 400))).toBe(false);
    expect(retryUnlessClientError(0, new ApiError("down", 503))).toBe(true);
    expect(retryUnlessClientError(1, new TypeError("network"))).toBe(true);
    expect(retryUnlessClientError(2, new TypeError("network"))).toBe(false);
  });
});

describe("CompoundPage loading", () => {
  it("shows a spinner until the compound arrives", async () => {
    show();
    expect(screen.getByRole("status")).toBeTruthy();
    await waitFor(() => expect(screen.getByTestId("reference-values")).toBeTruthy());
  });
});
