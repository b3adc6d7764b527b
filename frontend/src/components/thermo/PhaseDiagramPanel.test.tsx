import { cleanup, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GET, calls, renderWithClient, resetApi, routes } from "../../test/mockApi";
import { bandGap } from "../../test/fixtures";
import { binaryDiagram, material, stability, ternaryDiagram } from "../../test/thermoFixtures";
import { PhaseDiagramPanel } from "./PhaseDiagramPanel";

const plotly = vi.hoisted(() => ({ react: vi.fn(async () => undefined), purge: vi.fn() }));
vi.mock("plotly.js-dist-min", () => ({ default: plotly }));
vi.mock("../../client/api", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../client/api")>()),
  api: { GET: (...args: Parameters<typeof GET>) => GET(...args) },
}));

const PREDICTIONS = "/api/v1/materials/{material_id}/predictions";
const STABILITY = "/api/v1/materials/{material_id}/stability";
const DIAGRAM = "/api/v1/phase-diagram";

const formationEnergy = bandGap({ id: 11, property: "formation_energy", unit: "eV/atom", value: -3.45 });

type Trace = { name?: string; type?: string };
const lastTraces = () => (plotly.react.mock.calls.at(-1) as unknown as [HTMLElement, Trace[]])[1];

beforeEach(() => {
  resetApi();
  plotly.react.mockClear();
});
afterEach(cleanup);

describe("PhaseDiagramPanel", () => {
  it("draws the binary hull with this material marked and its energy above hull", async () => {
    routes.set(PREDICTIONS, () => ({ status: 200, body: { latest: [formationEnergy], history: [formationEnergy] } }));
    routes.set(DIAGRAM, () => ({ status: 200, body: binaryDiagram() }));
    routes.set(STABILITY, () => ({ status: 200, body: stability({ e_above_hull: 0.05 }) }));
    renderWithClient(<PhaseDiagramPanel material={material()} />);
    await waitFor(() => expect(plotly.react).toHaveBeenCalled());
    const traces = lastTraces();
    expect(traces.map((t) => t.name)).toContain("This material");
    expect(traces.every((t) => t.type === "scatter")).toBe(true);
    const plot = screen.getByTestId("phase-diagram-plot");
    expect(plot.getAttribute("aria-label")).toMatch(/O-Ti: 6 phases, 4 stable\. TiO2 \(this material\): E above hull 0.050/);
    expect(screen.getByTestId("stability").textContent).toMatch(/0.050 eV\/atom/);
    expect(screen.getByTestId("stability").textContent).toMatch(/Decomposes to.*TiO2 \(100 %\)/);
    expect(calls.find((c) => c.path === DIAGRAM)!.params.query).toEqual({ chemsys: "O-Ti" });
  });

  it("draws a ternary system as a triangle", async () => {
    routes.set(PREDICTIONS, () => ({ status: 200, body: { latest: [formationEnergy], history: [] } }));
    routes.set(DIAGRAM, () => ({ status: 200, body: ternaryDiagram() }));
    routes.set(STABILITY, () => ({ status: 200, body: stability({ e_above_hull: 0, is_stable: true }) }));
    const sto = material({ formula: "Sr1 Ti1 O3", reduced_formula: "SrTiO3", chemical_system: "O-Sr-Ti", nelements: 3 });
    renderWithClient(<PhaseDiagramPanel material={sto} />);
    await waitFor(() => expect(plotly.react).toHaveBeenCalled());
    expect(lastTraces().every((t) => t.type === "scatterternary")).toBe(true);
    expect(await screen.findByText("on the hull")).toBeTruthy();
  });

  it("without a formation energy: no stability request, the composition is marked and a hint shown", async () => {
    routes.set(PREDICTIONS, () => ({ status: 200, body: { latest: [bandGap()], history: [] } }));
    routes.set(DIAGRAM, () => ({ status: 200, body: binaryDiagram() }));
    renderWithClient(<PhaseDiagramPanel material={material({ id: 7 })} />);
    expect(await screen.findByText(/no formation energy yet/i)).toBeTruthy();
    await waitFor(() => expect(plotly.react).toHaveBeenCalled());
    expect(calls.some((c) => c.path === STABILITY)).toBe(false);
    expect(lastTraces().some((t) => t.name === "This material")).toBe(false);
  });

  it("shows the server's error when the diagram cannot be built", async () => {
    routes.set(PREDICTIONS, () => ({ status: 200, body: { latest: [], history: [] } }));
    routes.set(DIAGRAM, () => ({ status: 400, body: { detail: "unknown element Xx" } }));
    renderWithClient(<PhaseDiagramPanel material={material({ id: 7 })} />);
    expect((await screen.findByRole("alert")).textContent).toContain("unknown element Xx");
    expect(plotly.react).not.toHaveBeenCalled();
  });

  it("says why there is no diagram for one element or more than four", async () => {
    routes.set(PREDICTIONS, () => ({ status: 200, body: { latest: [], history: [] } }));
    renderWithClient(
      <PhaseDiagramPanel material={material({ reduced_formula: "Cu", chemical_system: "Cu", nelements: 1 })} />,
    );
    expect(screen.getByTestId("phase-diagram-message").textContent).toMatch(/single element/);
    cleanup();
    renderWithClient(
      <PhaseDiagramPanel material={material({ chemical_system: "Ba-Ca-Cu-O-Y", nelements: 5 })} />,
    );
    expect(screen.getByTestId("phase-diagram-message").textContent).toMatch(/2 to 4 elements.*has 5/);
    await waitFor(() => expect(calls.filter((c) => c.path === DIAGRAM)).toHaveLength(0));
  });
});
