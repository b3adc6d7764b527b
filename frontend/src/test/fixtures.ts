/** Small hand-written scenes and predictions in the shape the API sends. */
import type { Prediction, Scene } from "../client/api";

const atom = (
  index: number,
  element: string,
  position: number[],
  colour: string,
  extra: Partial<Scene["atoms"][number]> = {},
): Scene["atoms"][number] => ({
  index,
  site_index: index,
  element,
  label: element,
  occupancy: 1,
  position,
  fractional: position.map((x) => x / 4),
  radius: element === "Ti" ? 1.6 : 0.66,
  radius_space_filling: element === "Ti" ? 0.605 : 1.4,
  colour,
  is_boundary_image: false,
  neighbours: [],
  ...extra,
});

/** A TiO6-like fragment: Ti at the origin, six O around it, one bond leaving the cell. */
export function octahedronScene(): Scene {
  const o = [
    [2, 0, 0],
    [-2, 0, 0],
    [0, 2, 0],
    [0, -2, 0],
    [0, 0, 2],
    [0, 0, -2],
  ];
  const atoms = [
    atom(0, "Ti", [0, 0, 0], "#bfc2c7", {
      neighbours: o.map((p, i) => ({ element: "O", distance: 2, position: p, atom: i + 1 })),
    }),
    ...o.map((p, i) => atom(i + 1, "O", p, "#ff0d0d")),
  ];
  const bonds = o.map((p, i) => ({ a: 0, b: i + 1, start: [0, 0, 0], end: p, length: 2 }));
  bonds.push({ a: 1, b: null as unknown as number, start: [2, 0, 0], end: [4, 0, 0], length: 2 });
  return {
    material_id: 1,
    formula: "TiO2",
    lattice: [
      [4, 0, 0],
      [0, 4, 0],
      [0, 0, 4],
    ],
    supercell: [1, 1, 1],
    bonding: "crystalnn",
    bonding_requested: "crystalnn",
    colour_scheme: "jmol",
    atoms,
    bonds,
    polyhedra: [
      {
        centre: 0,
        element: "Ti",
        colour: "#bfc2c7",
        vertices: o,
        faces: [
          [0, 2, 4],
          [2, 1, 4],
          [1, 3, 4],
          [3, 0, 4],
          [2, 0, 5],
          [1, 2, 5],
          [3, 1, 5],
          [0, 3, 5],
        ],
      },
    ],
    cell_edges: [
      [
        [0, 0, 0],
        [4, 0, 0],
      ],
    ],
    unit_cell_edges: [],
    legend: [
      { element: "Ti", colour: "#bfc2c7", radius: 1.6, radius_space_filling: 0.605 },
      { element: "O", colour: "#ff0d0d", radius: 0.66, radius_space_filling: 1.4 },
    ],
    centre: [0, 0, 0],
    extent: 3.5,
    warnings: [],
  } as Scene;
}

export function bandGap(extra: Partial<Prediction> = {}): Prediction {
  return {
    id: 7,
    material_id: 1,
    property: "band_gap",
    value: 1.5919,
    unit: "eV",
    std: 0.1032,
    interval_low: 1.3897,
    interval_high: 1.7941,
    method: "composition",
    model_name: "mlp-ens5-mp_gap-2026.11-band_gap",
    model_version: "1.0.0",
    in_domain: true,
    warnings: [],
    details: {},
    created_at: "2026-11-26T12:00:00Z",
    ...extra,
  };
}
