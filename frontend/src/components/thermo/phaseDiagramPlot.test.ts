import { describe, expect, it } from "vitest";
import { binaryDiagram, material, stability, ternaryDiagram } from "../../test/thermoFixtures";
import {
  atomicFractions,
  diagramKind,
  materialMarker,
  parseFormula,
  phaseDiagramFigure,
  tetrahedron,
} from "./phaseDiagramPlot";

type T = Record<string, unknown> & { name?: string };
const trace = (data: T[], name: string) => {
  const t = data.find((d) => d.name === name);
  if (!t) throw new Error(`no trace ${name}`);
  return t;
};

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

describe("phaseDiagramFigure", () => {
  it("binary: hull line through the tie lines, stable / unstable / predicted points, the material as a star", () => {
    const d = binaryDiagram();
    const fig = phaseDiagramFigure(d, materialMarker(d, material(), stability()));
    const data = fig.data as T[];
    const hull = trace(data, "Hull");
    // three tie lines: two points and a gap each
    expect(hull.x).toEqual([0, 1 / 3, null, 0.4, 1 / 3, null, 1, 0.4, null]);
    expect(hull.y).toEqual([0, -3.5, null, -3.4, -3.5, null, 0, -3.4, null]);
    expect(trace(data, "Stable").x).toHaveLength(4);
    expect(trace(data, "Stable").texttemplate).toEqual(["O2", "Ti", "TiO2", "Ti2O3"]);
    expect(trace(data, "Above hull").y).toEqual([-2.6]);
    expect(trace(data, "Your predictions").x).toEqual([1 / 3]);
    const star = trace(data, "This material");
    expect(star.x).toEqual([expect.closeTo(1 / 3)]);
    expect(star.y).toEqual([-3.45]);
    expect(star.type).toBe("scatter");
    expect((fig.layout.yaxis as { title: { text: string } }).title.text).toMatch(/formation energy/i);
  });

  it("binary without a formation energy marks the composition with a vertical line", () => {
    const d = binaryDiagram();
    const fig = phaseDiagramFigure(d, materialMarker(d, material({ id: 7 }), undefined));
    expect((fig.data as T[]).some((t) => t.name === "This material")).toBe(false);
    const [line] = fig.layout.shapes as Array<{ x0: number; yref: string }>;
    expect(line.x0).toBeCloseTo(1 / 3);
    expect(line.yref).toBe("paper");
  });

  it("ternary: a Gibbs triangle with hull edges and the material at its fractions", () => {
    const d = ternaryDiagram();
    const sto = material({ id: 9, formula: "Sr1 Ti1 O3", reduced_formula: "SrTiO3", chemical_system: "O-Sr-Ti", nelements: 3 });
    const fig = phaseDiagramFigure(d, materialMarker(d, sto, stability({ e_above_hull: 0 })));
    const data = fig.data as T[];
    expect(data.every((t) => t.type === "scatterternary")).toBe(true);
    const edges = trace(data, "Hull edges");
    expect((edges.a as unknown[]).length).toBe(3 * d.tie_lines.length);
    expect((edges.a as unknown[]).slice(0, 2)).toEqual([1, 0.6]); // O → SrTiO3
    const star = trace(data, "This material");
    expect([star.a, star.b, star.c]).toEqual([[0.6], [0.2], [0.2]]);
    expect(trace(data, "Above hull").a).toEqual([5 / 8]);
    const axes = fig.layout.ternary as Record<string, { title: { text: string } }>;
    expect([axes.aaxis.title.text, axes.baxis.title.text, axes.caxis.title.text]).toEqual(["O", "Sr", "Ti"]);
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
    expect(() => phaseDiagramFigure(d, materialMarker(d, material(), undefined))).toThrow(/unary/);
  });
});
