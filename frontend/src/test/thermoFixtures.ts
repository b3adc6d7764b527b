/** Hand-written API results for the phase-diagram and similarity panels. */
import type { Material, PhaseDiagram, PhaseEntry, SimilarPage, Stability } from "../client/api";

export function material(extra: Partial<Material> = {}): Material {
  return {
    id: 42,
    formula: "Ti2 O4",
    reduced_formula: "TiO2",
    chemical_system: "O-Ti",
    elements: ["O", "Ti"],
    nsites: 6,
    nelements: 2,
    space_group_number: 136,
    space_group_symbol: "P4_2/mnm",
    crystal_system: "tetragonal",
    volume: 62.45,
    density: 4.247,
    lattice: null,
    is_ordered: true,
    source: "upload",
    source_database: null,
    source_id: null,
    filename: "TiO2.cif",
    duplicate_of: null,
    warnings: [],
    is_reference: false,
    created_at: "2026-11-26T12:00:00Z",
    ...extra,
  };
}

const PROVENANCE = { dataset: "mp_e_form", convention: "MP legacy corrections", n_formulas: 100 };

function entry(
  name: string,
  fractions: Record<string, number>,
  e: number,
  eHull: number,
  extra: Partial<PhaseEntry> = {},
): PhaseEntry {
  return {
    name,
    formula: name.split(" (")[0],
    source: "reference",
    material_id: null,
    formation_energy_per_atom: e,
    e_above_hull: eHull,
    is_stable: eHull === 0,
    decomposition: [],
    fractions,
    x: null,
    y: null,
    z: null,
    ...extra,
  };
}

/** O-Ti: O, Ti, TiO2 and Ti2O3 on the hull, TiO above it, material 42 predicted. */
export function binaryDiagram(): PhaseDiagram {
  const e = (name: string, ti: number, energy: number, hull: number, extra: Partial<PhaseEntry> = {}) =>
    entry(name, { O: 1 - ti, Ti: ti }, energy, hull, { x: ti, y: energy, ...extra });
  return {
    chemsys: "O-Ti",
    elements: ["O", "Ti"],
    stable: ["O2", "Ti", "Ti2O3", "TiO2"],
    entries: [
      e("O", 0, 0, 0, { formula: "O2" }),
      e("Ti", 1, 0, 0),
      e("TiO2", 1 / 3, -3.5, 0),
      e("Ti2O3", 0.4, -3.4, 0),
      e("TiO", 0.5, -2.6, 0.3),
      e("TiO2 (extra #0)", 1 / 3, -3.45, 0.05, { source: "predicted", material_id: 42 }),
    ],
    tie_lines: [
      ["O", "TiO2"],
      ["Ti2O3", "TiO2"],
      ["Ti", "Ti2O3"],
    ],
    provenance: PROVENANCE,
  };
}

/** O-Sr-Ti with SrTiO3 on the hull. */
export function ternaryDiagram(): PhaseDiagram {
  const f = (o: number, sr: number, ti: number) => ({ O: o, Sr: sr, Ti: ti });
  return {
    chemsys: "O-Sr-Ti",
    elements: ["O", "Sr", "Ti"],
    stable: ["O2", "Sr", "SrTiO3", "Ti"],
    entries: [
      entry("O", f(1, 0, 0), 0, 0, { formula: "O2" }),
      entry("Sr", f(0, 1, 0), 0, 0),
      entry("Ti", f(0, 0, 1), 0, 0),
      entry("SrTiO3", f(0.6, 0.2, 0.2), -3.5, 0),
      entry("SrTi2O5", f(5 / 8, 1 / 8, 2 / 8), -3.3, 0.1),
    ],
    tie_lines: [
      ["O", "SrTiO3"],
      ["Sr", "SrTiO3"],
      ["SrTiO3", "Ti"],
      ["O", "Sr"],
      ["O", "Ti"],
      ["Sr", "Ti"],
    ],
    provenance: PROVENANCE,
  };
}

export function stability(extra: Partial<Stability> = {}): Stability {
  return {
    material_id: 42,
    formula: "TiO2",
    formation_energy_per_atom: -3.45,
    energy_source: "predicted",
    e_above_hull: 0.05,
    hull_energy_per_atom: -3.5,
    below_hull_by: 0,
    is_stable: false,
    decomposition: [{ formula: "TiO2", fraction: 1 }],
    provenance: PROVENANCE,
    ...extra,
  };
}

export function similarPage(by: "composition" | "structure", n = 2): SimilarPage {
  const names = ["Ti11O14", "Ti6O11", "SrTiO3", "VO2"];
  return {
    by,
    query: "42",
    items: names.slice(0, n).map((f, i) => ({
      material: material({
        id: 100 + i,
        formula: f,
        reduced_formula: f,
        source: "reference",
        source_database: i === 0 ? "materials_project" : "oqmd",
        nsites: null,
        space_group_number: null,
        space_group_symbol: null,
        is_reference: true,
      }),
      distance: 0.02 * (i + 1),
      similarity: 1 - 0.02 * (i + 1),
      entries: i + 1,
    })),
  };
}
