import { describe, expect, it } from "vitest";
import { binaryDiagram, material, stability, ternaryDiagram } from "../../test/thermoFixtures";
import {
  atomicFractions,
  diagramKind,
  materialMarker,
  parseFormula,
  diagramModel,
  stabilityBadge,
  tetrahedron,
} from "./phaseDiagramPlot";

describe("formulas", () => {
  it("parses pymatgen and compact formulas, fractional amounts included", () => {
    expect(Object.fromEntries(parseFormula("Ti168 O336"))).toEqual({ Ti: 168, O: 336 });
    expect(Object.fromEntries(parseFormula("Fe2O3"))).toEqual({ Fe: 2, O: 3 });
    expect(Object.fromEntries(parseFormula("Li0.5 Co O2"))).toEqual({ Li: 0.5, Co: 1, O: 2 });
  });

  it("gives atomic fractions in the diagram's element order", () => {
    const [o, ti] = atomicFractions("Ti168 O336", ["O", "Ti"]);
    expect(o).toBeCloseTo(2 / 3);
    expect(ti).toBeCloseTo(1 / 3);
    expect(atomicFractions("SrTiO3", ["O", "Sr", "Ti"])).toEqual([0.6, 0.2, 0.2]);
  });

  it("names the kind of diagram by the number of components", () => {
    expect([1, 2, 3, 4, 5].map(diagramKind)).toEqual(["unary", "binary", "ternary", "quaternary", "too-many"]);
  });
});

describe("materialMarker", () => {
  it("uses the stability result for the energy above hull", () => {
    const m = materialMarker(binaryDiagram(), material(), stability({ e_above_hull: 0.123 }));
    expect(m.energy).toBeCloseTo(-3.45);
    expect(m.eAboveHull).toBeCloseTo(0.123);
    expect(m.label).toMatch(/TiO2 \(this material\): E above hull 0.123 eV\/atom/);
    expect(m.fractions[1]).toBeCloseTo(1 / 3);
  });

  it("falls back to the material's own predicted entry, then to its composition only", () => {
    const own = materialMarker(binaryDiagram(), material(), undefined);
    expect(own.energy).toBeCloseTo(-3.45);
    expect(own.eAboveHull).toBeCloseTo(0.05);
    const none = materialMarker(binaryDiagram(), material({ id: 7 }), undefined);
    expect(none.energy).toBeNull();
    expect(none.label).toMatch(/no formation energy yet/);
    expect(none.fractions[1]).toBeCloseTo(1 / 3);
  });
});

describe("diagramModel", () => {
  it("binary: hull edges from the tie lines, groups, the material at its composition and energy", () => {
    const d = binaryDiagram();
    const m = diagramModel(d, materialMarker(d, material(), stability()));
    expect(m.kind).toBe("binary");
    expect(m.edges).toEqual([
      [[0, 0], [1 / 3, -3.5]],
      [[0.4, -3.4], [1 / 3, -3.5]],
      [[1, 0], [0.4, -3.4]],
    ]);
    expect(m.entries.filter((e) => e.group === "stable").map((e) => e.entry.formula)).toEqual(["O2", "Ti", "TiO2", "Ti2O3"]);
    expect(m.entries.filter((e) => e.group === "unstable").map((e) => e.at[1])).toEqual([-2.6]);
    expect(m.entries.filter((e) => e.group === "predicted").map((e) => e.at[0])).toEqual([1 / 3]);
    expect(m.marker!.at[0]).toBeCloseTo(1 / 3);
    expect(m.marker!.at[1]).toBe(-3.45);
    expect(m.marker!.hasEnergy).toBe(true);
  });

  it("can leave out your own (unstable) predicted phases", () => {
    const d = binaryDiagram();
    const m = diagramModel(d, null, { includePredicted: false });
    expect(m.entries.some((e) => e.group === "predicted")).toBe(false);
    expect(m.marker).toBeNull();
  });

  it("binary without a formation energy marks the composition only", () => {
    const d = binaryDiagram();
    const m = diagramModel(d, materialMarker(d, material({ id: 7 }), undefined));
    expect(m.marker!.hasEnergy).toBe(false);
    expect(m.marker!.at[0]).toBeCloseTo(1 / 3);
  });

  it("ternary: Gibbs-triangle coordinates of the phases and the material", () => {
    const d = ternaryDiagram();
    const sto = material({ id: 9, formula: "Sr1 Ti1 O3", reduced_formula: "SrTiO3", chemical_system: "O-Sr-Ti", nelements: 3 });
    const m = diagramModel(d, materialMarker(d, sto, stability({ e_above_hull: 0 })));
    expect(m.edges).toHaveLength(d.tie_lines.length);
    const [x, y] = m.marker!.at;
    expect(x).toBeCloseTo(0.2 + 0.2 / 2);
    expect(y).toBeCloseTo((0.2 * Math.sqrt(3)) / 2);
    expect(m.corners).toEqual([[0, 0], [1, 0], [0.5, Math.sqrt(3) / 2]]);
  });

  it("quaternary: tetrahedron coordinates in the server's convention", () => {
    expect(tetrahedron([1, 0, 0, 0])).toEqual([0, 0, 0]);
    expect(tetrahedron([0, 1, 0, 0])).toEqual([1, 0, 0]);
    const apex = tetrahedron([0, 0, 0, 1]);
    expect(apex[2]).toBeCloseTo(Math.sqrt(2 / 3));
    // every edge of the regular tetrahedron has length 1
    const c = tetrahedron([0, 0, 1, 0]);
    expect(Math.hypot(apex[0] - c[0], apex[1] - c[1], apex[2] - c[2])).toBeCloseTo(1);
  });

  it("refuses unary systems", () => {
    const d = { ...binaryDiagram(), elements: ["Cu"] };
    expect(() => diagramModel(d, materialMarker(d, material(), undefined))).toThrow(/unary/);
  });
});

describe("stabilityBadge", () => {
  it("never says 'on the hull' for a material below the known hull", () => {
    expect(stabilityBadge({ is_stable: true, below_hull_by: 0.071, e_above_hull: 0 }).text).toBe(
      "below the known hull by 0.071 eV/atom",
    );
    expect(stabilityBadge({ is_stable: true, below_hull_by: 0, e_above_hull: 0 }).text).toBe("on the hull");
    expect(stabilityBadge({ is_stable: false, below_hull_by: 0, e_above_hull: 0.05 }).kind).toBe("above");
  });
});
