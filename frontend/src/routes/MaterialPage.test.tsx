import { cleanup, fireEvent, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Material } from "../client/api";
import { bandGap } from "../test/fixtures";
import { GET, POST, calls, postRoutes, renderAt, resetApi, routes } from "../test/mockApi";
import { material } from "../test/thermoFixtures";
import { MaterialPage } from "./MaterialPage";

vi.mock("../client/api", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../client/api")>()),
  api: {
    GET: (...args: Parameters<typeof GET>) => GET(...args),
    POST: (...args: Parameters<typeof POST>) => POST(...args),
  },
}));
// panels with their own tests (and WebGL / Plotly, which jsdom lacks)
vi.mock("../components/viewer/ViewerPanel", () => ({ ViewerPanel: () => <div data-testid="viewer" /> }));
vi.mock("../components/thermo/PhaseDiagramPanel", () => ({ PhaseDiagramPanel: () => null }));
vi.mock("../components/similarity/SimilarMaterials", () => ({ SimilarMaterials: () => null }));

const MATERIAL = "/api/v1/materials/{material_id}";
const PREDICTIONS = "/api/v1/materials/{material_id}/predictions";

beforeEach(resetApi);
afterEach(cleanup);

/** A Matbench row: composition only, shared reference data, loaded a minute ago. */
const referenceRow = (extra: Partial<Material> = {}) =>
  material({
    id: 901,
    formula: "LiFePO4",
    reduced_formula: "LiFePO4",
    chemical_system: "Fe-Li-O-P",
    nsites: null,
    space_group_number: null,
    space_group_symbol: null,
    crystal_system: null,
    volume: null,
    density: null,
    source: "reference",
    source_database: "materials_project",
    source_id: "mp_e_form:75208",
    filename: null,
    is_reference: true,
    created_at: new Date(Date.now() - 60_000).toISOString(),
    ...extra,
  });

function show(
  m: Material,
  predictions: { material_id: number; latest: never[]; history: never[]; pending?: boolean } = {
    material_id: m.id,
    latest: [],
    history: [],
  },
) {
  routes.set(MATERIAL, () => ({ status: 200, body: m }));
  routes.set(PREDICTIONS, () => ({ status: 200, body: predictions }));
  renderAt(`/materials/${m.id}`, "/materials/:id", <MaterialPage />);
}

describe("MaterialPage, a composition-only reference row", () => {
  it("has no downloads, no spinner, and a Predict button", async () => {
    show(referenceRow());
    await screen.findByTestId("no-predictions");
    expect(screen.queryByTestId("downloads")).toBeNull();
    expect(screen.queryByRole("link", { name: "CIF" })).toBeNull();
    expect(screen.queryByText(/Predicting all properties/)).toBeNull();
    expect(screen.queryByRole("status")).toBeNull();
    expect(screen.getByTestId("predict-material").textContent).toBe("Predict");
    expect(screen.getByText(/composition only/)).toBeTruthy();
  });

  it("names its source as a readable table row and links its compound page", async () => {
    // the label is the API's (source_label), not a copy of the server's rules
    show(referenceRow({ source_label: "Matbench mp_e_form, row 75208", source_url: null }));
    const source = await screen.findByTestId("material-source");
    expect(source.textContent).toBe("Materials Project · Matbench mp_e_form, row 75208");
    expect(document.body.textContent).not.toContain("mp_e_form:75208");
    expect(screen.getByTestId("compound-link").getAttribute("href")).toBe("/compounds/LiFePO4");
  });

  it("predicts on request and shows the cards", async () => {
    postRoutes.set("/api/v1/predictions", () => ({ status: 200, body: {} }));
    show(referenceRow());
    await screen.findByTestId("no-predictions");
    routes.set(PREDICTIONS, () => ({
      status: 200,
      body: { material_id: 901, latest: [bandGap({ material_id: 901 })], history: [bandGap({ material_id: 901 })] },
    }));
    fireEvent.click(screen.getByTestId("predict-material"));
    expect(await screen.findByTestId("property-card")).toBeTruthy();
    expect(calls.find((c) => c.path === "/api/v1/predictions")?.body).toEqual({ material_id: 901, relax: false });
    expect(screen.getByTestId("predict-material").textContent).toBe("Predict again");
  });
});

describe("MaterialPage, a known structure and uploads", () => {
  it("links an MP structure's citable id and offers downloads", async () => {
    show(
      referenceRow({
        id: 501,
        source_id: "mp-22862",
        source_label: "mp-22862",
        source_url: "https://next-gen.materialsproject.org/materials/mp-22862",
        formula: "Na4 Cl4",
        reduced_formula: "NaCl",
        nsites: 8,
      }),
    );
    const source = await screen.findByTestId("material-source");
    expect(within(source).getByRole("link", { name: "mp-22862" }).getAttribute("href")).toBe(
      "https://next-gen.materialsproject.org/materials/mp-22862",
    );
    expect(within(screen.getByTestId("downloads")).getAllByRole("link")).toHaveLength(3);
    expect(screen.getByTestId("viewer")).toBeTruthy();
  });

  it("shows the spinner only while the server says the automatic prediction is pending", async () => {
    const m = material({ created_at: new Date(Date.now() - 3_600_000).toISOString() });
    show(m, { material_id: m.id, latest: [], history: [], pending: true });
    expect(await screen.findByText(/Predicting all properties/)).toBeTruthy();
    cleanup();
    resetApi();
    // a fresh upload whose prediction is not queued (pending false): a Predict button
    const fresh = material({ created_at: new Date().toISOString() });
    show(fresh, { material_id: fresh.id, latest: [], history: [], pending: false });
    await screen.findByTestId("no-predictions");
    expect(screen.queryByText(/Predicting all properties/)).toBeNull();
  });

  it("says which known structure an upload matches", async () => {
    show(
      material({
        known_match: {
          kind: "match",
          material_id: 501,
          source_database: "materials_project",
          source_id: "mp-22862",
          url: "https://next-gen.materialsproject.org/materials/mp-22862",
          space_group_symbol: "Fm-3m",
        },
      }),
    );
    const note = await screen.findByTestId("known-match");
    expect(note.textContent).toContain("Matches mp-22862 (Materials Project, Fm-3m)");
    expect(within(note).getByRole("link", { name: "mp-22862" }).getAttribute("href")).toBe("/materials/501");
  });

  it("says an upload is a new polymorph of a known compound, with a link to it", async () => {
    show(material({ known_match: { kind: "new_polymorph", reduced_formula: "TiO2", known_structures: 3 } }));
    const note = await screen.findByTestId("known-match");
    expect(note.textContent).toBe("New polymorph of a known compound (TiO2, 3 known structures)");
    expect(within(note).getByRole("link").getAttribute("href")).toBe("/compounds/TiO2");
  });

  it("says when a formula is known without a structure, or not known at all", async () => {
    show(material({ known_match: { kind: "known_composition", reduced_formula: "TiO2" } }));
    expect((await screen.findByTestId("known-match")).textContent).toBe(
      "Known compound (TiO2); no reference structure",
    );
    cleanup();
    resetApi();
    show(material({ known_match: { kind: "new_compound" } }));
    expect((await screen.findByTestId("known-match")).textContent).toBe("Not among the known compounds");
  });

  it("shows its duplicate status with a link", async () => {
    show(material({ duplicate_of: 123 }));
    const dup = await screen.findByTestId("duplicate-of");
    expect(dup.textContent).toBe("Duplicate of #123");
    expect(within(dup).getByRole("link").getAttribute("href")).toBe("/materials/123");
  });
});
