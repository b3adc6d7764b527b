/** Hand-written compound API results in the shape the server sends. */
import type { CompoundDetail, CompoundHit, CompoundSearchPage, KnownStructure, ReferenceValue } from "../client/api";
import { bandGap } from "./fixtures";

export function compoundHit(extra: Partial<CompoundHit> = {}): CompoundHit {
  return {
    id: 7,
    reduced_formula: "LiFePO4",
    chemical_system: "Fe-Li-O-P",
    elements: ["Fe", "Li", "O", "P"],
    nelements: 4,
    anonymous_formula: "ABCD4",
    properties: { formation_energy: -2.5321, band_gap: 3.694, energy_above_hull: 0 },
    n_entries: 12,
    n_structures: 2,
    space_group_numbers: [62],
    crystal_systems: ["orthorhombic"],
    links: [
      { source_id: "mp-19017", url: "https://next-gen.materialsproject.org/materials/mp-19017" },
      { source_id: "AB_x", url: null },
    ],
    sort_value: null,
    ...extra,
  };
}

export function compoundPage(items: CompoundHit[]): CompoundSearchPage {
  return { items, total: items.length, total_is_estimate: false, next_cursor: null };
}

function value(extra: Partial<ReferenceValue>): ReferenceValue {
  return {
    property: "formation_energy",
    display_name: "Formation energy",
    unit: "eV/atom",
    source_database: "materials_project",
    table: "mp_e_form",
    value: -2.5321,
    n_entries: 1,
    min: -2.5321,
    max: -2.5321,
    headline: false,
    entries: [],
    upstream: "Materials Project via Matbench v0.1",
    licence: "CC BY 4.0 (Materials Project data); cite Dunn et al.",
    ...extra,
  };
}

export function structure(extra: Partial<KnownStructure> = {}): KnownStructure {
  return {
    material_id: 501,
    source_database: "materials_project",
    source_id: "mp-19017",
    label: "mp-19017",
    url: "https://next-gen.materialsproject.org/materials/mp-19017",
    space_group_number: 62,
    space_group_symbol: "Pnma",
    crystal_system: "orthorhombic",
    nsites: 28,
    properties: { energy_above_hull: 0 },
    ...extra,
  };
}

export function compoundDetail(extra: Partial<CompoundDetail> = {}): CompoundDetail {
  return {
    ...compoundHit(),
    reference_values: [
      value({ property: "band_gap", display_name: "Band gap", unit: "eV", table: "mp_gap", value: 3.694, headline: true }),
      value({
        headline: true,
        n_entries: 3,
        min: -2.5321,
        max: -2.41,
        entries: [
          { material_id: 900, label: "mp-19017", url: "https://next-gen.materialsproject.org/materials/mp-19017" },
          { material_id: 901, label: "Matbench mp_e_form, row 75208", url: null },
        ],
      }),
      value({ source_database: "oqmd", table: "oqmd_formation_enthalpy", value: -2.6, upstream: "OQMD via CrabNet" }),
    ],
    structures: [
      structure(),
      structure({
        material_id: 502,
        source_id: "mp-585433",
        label: "mp-585433",
        url: "https://next-gen.materialsproject.org/materials/mp-585433",
        space_group_number: 14,
        space_group_symbol: "P2_1/c",
        crystal_system: "monoclinic",
        properties: { energy_above_hull: 0.052 },
      }),
    ],
    own_materials: [],
    own_materials_total: 0,
    ...extra,
  };
}

export function ownMaterial(extra: Partial<CompoundDetail["own_materials"][number]> = {}) {
  return {
    id: 42,
    formula: "Li4 Fe4 P4 O16",
    source: "upload",
    filename: "LiFePO4.cif",
    space_group_symbol: "Pnma",
    has_structure: true,
    known_match: { kind: "match", material_id: 501, source_id: "mp-19017", source_database: "materials_project" },
    created_at: "2026-11-26T12:00:00Z",
    predictions: [bandGap({ material_id: 42 })],
    ...extra,
  };
}
