import { describe, expect, it } from "vitest";
import { planePoints } from "./EfficiencyPlane";
import type { MoleculeAlert, MoleculeScore, MoleculeSummary } from "./moleculeApi";
import { alertKind, familyLabel, groupAlerts, scoreTerms } from "./moleculeFormat";

// the rhodanine of the e2e test as the backend scores it (Ki 500 nM)
const score: MoleculeScore = {
  total: 47.23976825965022,
  classification: "Weak",
  potency: 0.46020599913279625,
  efficiency: 0.6809008084096677,
  quality: 0.19999999999999996,
  w_potency: 0.4,
  w_efficiency: 0.35,
  w_quality: 0.25,
  efficiency_terms: { le: 1, lle: 0.482, bei: 0.798, sei: 0.443 },
  alert_penalty: 0.8,
  property_penalty: 0,
  property_violations: [],
  censored: false,
  notes: [],
};

const alert = (catalog: string, family: string, atoms: number[]): MoleculeAlert => ({
  catalog,
  name: `${family}_A(1)`,
  family,
  description: "",
  atoms,
  is_pains: catalog.startsWith("PAINS"),
});

describe("scoreTerms", () => {
  it("reproduces the total from the displayed components and weights", () => {
    const { terms, total } = scoreTerms(score);
    expect(terms.map((t) => t.key)).toEqual(["potency", "efficiency", "quality"]);
    expect(total).toBeCloseTo(score.total!, 9);
    expect(terms[0].points).toBeCloseTo(100 * 0.4 * 0.46020599913279625, 9);
  });

  it("normalises by the sum of the weights", () => {
    const { total } = scoreTerms({ ...score, w_potency: 2, w_efficiency: 2, w_quality: 1, potency: 1, efficiency: 0.5, quality: 0 });
    expect(total).toBeCloseTo((100 * (2 * 1 + 2 * 0.5 + 0)) / 5, 9);
  });

  it("has no total without potency (unscored)", () => {
    const { terms, total } = scoreTerms({ ...score, total: null, potency: null, efficiency: null, classification: "Unscored" });
    expect(total).toBeNull();
    expect(terms[0].points).toBeNull();
    expect(terms[2].points).toBeCloseTo(5, 9);
  });
});

describe("groupAlerts", () => {
  it("groups PAINS, Brenk and NIH with the union of their atoms", () => {
    const groups = groupAlerts([
      alert("NIH", "rhodanine", [5, 6, 7]),
      alert("BRENK", "Thiocarbonyl_group", [8, 9]),
      alert("PAINS_A", "ene_rhod", [7, 6, 5, 8]),
      alert("BRENK", "Michael_acceptor_1", [5, 6]),
    ]);
    expect(groups.map((g) => g.kind)).toEqual(["PAINS", "Brenk", "NIH"]);
    expect(groups[0].atoms).toEqual([5, 6, 7, 8]);
    expect(groups[1].families).toEqual(["Thiocarbonyl_group", "Michael_acceptor_1"]);
    expect(groups[1].atoms).toEqual([5, 6, 8, 9]);
  });

  it("leaves out empty groups", () => {
    expect(groupAlerts([])).toEqual([]);
    expect(groupAlerts([alert("PAINS_B", "catechol", [1, 2])]).map((g) => g.kind)).toEqual(["PAINS"]);
  });

  it("names catalogues and families", () => {
    expect(alertKind("PAINS_C")).toBe("PAINS");
    expect(alertKind("NIH")).toBe("NIH");
    expect(alertKind("BRENK")).toBe("Brenk");
    expect(familyLabel("ene_five_het")).toBe("ene five het");
  });
});

describe("planePoints", () => {
  const mol = (id: number, sei: number | null, bei: number | null): MoleculeSummary => ({
    id,
    name: `m${id}`,
    smiles: "C",
    inchikey: "X",
    mw: 16,
    clogp: 0,
    tpsa: 0,
    qed: 0.4,
    heavy_atoms: 1,
    has_pains: false,
    n_alerts: 0,
    p_activity: 7,
    score_total: null,
    classification: "Weak",
    indices: { sei, bei },
    source: "api",
    created_at: "2026-01-01T00:00:00Z",
  });

  it("splits this molecule from the others and skips missing indices", () => {
    const self = mol(3, 12, 22);
    const { others, self: point } = planePoints(self, [mol(1, 10, 20), mol(2, null, 15), self]);
    expect(point).toMatchObject({ x: 12, y: 22 });
    expect(others).toHaveLength(1);
    expect(others[0].title).toContain("m1");
  });

  it("has no self point when this molecule has no SEI", () => {
    expect(planePoints(mol(1, null, 20), []).self).toBeNull();
  });
});
