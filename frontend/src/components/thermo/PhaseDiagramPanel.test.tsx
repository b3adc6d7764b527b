import { cleanup, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GET, calls, renderWithClient, resetApi, routes } from "../../test/mockApi";
import { bandGap } from "../../test/fixtures";
import { binaryDiagram, material, stability, ternaryDiagram } from "../../test/thermoFixtures";
import { PhaseDiagramPanel } from "./PhaseDiagramPanel";

vi.mock("../../client/api", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../client/api")>()),
  api: { GET: (...args: Parameters<typeof GET>) => GET(...args) },
}));

const PREDICTIONS = "/api/v1/materials/{material_id}/predictions";
const STABILITY = "/api/v1/materials/{material_id}/stability";
const DIAGRAM = "/api/v1/phase-diagram";

const formationEnergy = bandGap({ id: 11, property: "formation_energy", unit: "eV/atom", value: -3.45 });

const svg = () => screen.findByTestId("phase-diagram-svg");
const stars = (el: Element) => [...el.querySelectorAll("path.pd-mark, .pd-mark path, path")].filter((p) => p.closest(".pd-mark") || p.classList.contains("pd-mark"));

beforeEach(() => {
  resetApi();
});
afterEach(cleanup);

describe("PhaseDiagramPanel", () => {
  it("draws the binary hull with this material marked and its energy above hull", async () => {
    routes.set(PREDICTIONS, () => ({ status: 200, body: { latest: [formationEnergy], history: [formationEnergy] } }));
    routes.set(DIAGRAM, () => ({ status: 200, body: binaryDiagram() }));
    routes.set(STABILITY, () => ({ status: 200, body: stability({ e_above_hull: 0.05 }) }));
    renderWithClient(<PhaseDiagramPanel material={material()} />);
    const plot = await svg();
    expect(stars(plot)).toHaveLength(1);
    // stable phases are labelled (Ti and O2 sit at the corners)
    const labels = [...plot.querySelectorAll(".point-labels text")].map((t) => t.textContent);
    expect(labels).toContain("TiO2");
    // unstable phases: hover titles only
    expect(labels).not.toContain("Ti3O5");
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
    const plot = await svg();
    expect(plot.classList.contains("simplex")).toBe(true);
    expect(plot.querySelectorAll(".pd-frame line")).toHaveLength(3);
    expect((await screen.findByTestId("hull-badge")).textContent).toBe("on the hull");
  });

  it("says 'below the known hull by x', never 'on the hull', for a material predicted below it", async () => {
    routes.set(PREDICTIONS, () => ({ status: 200, body: { latest: [formationEnergy], history: [] } }));
    routes.set(DIAGRAM, () => ({ status: 200, body: binaryDiagram() }));
    routes.set(STABILITY, () => ({
      status: 200,
      body: stability({ e_above_hull: 0, is_stable: true, below_hull_by: 0.071 }),
    }));
    renderWithClient(<PhaseDiagramPanel material={material()} />);
    const badge = await screen.findByTestId("hull-badge");
    expect(badge.textContent).toBe("below the known hull by 0.071 eV/atom");
    expect(screen.getByTestId("stability").textContent).not.toContain("on the hull");
  });

  it("without a formation energy: no stability request, the composition is marked and a hint shown", async () => {
    routes.set(PREDICTIONS, () => ({ status: 200, body: { latest: [bandGap()], history: [] } }));
    routes.set(DIAGRAM, () => ({ status: 200, body: binaryDiagram() }));
    renderWithClient(<PhaseDiagramPanel material={material({ id: 7 })} />);
    expect(await screen.findByText(/This material has no formation energy yet/i)).toBeTruthy();
    const plot = await svg();
    expect(calls.some((c) => c.path === STABILITY)).toBe(false);
    expect(stars(plot)).toHaveLength(0);
    expect(plot.querySelector(".pd-mark-line")).not.toBeNull();
  });

  it("shows the server's error when the diagram cannot be built", async () => {
    routes.set(PREDICTIONS, () => ({ status: 200, body: { latest: [], history: [] } }));
    routes.set(DIAGRAM, () => ({ status: 400, body: { detail: "unknown element Xx" } }));
    renderWithClient(<PhaseDiagramPanel material={material({ id: 7 })} />);
    expect((await screen.findByRole("alert")).textContent).toContain("unknown element Xx");
    expect(screen.queryByTestId("phase-diagram-svg")).toBeNull();
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
