/**
 * Pure mapping from the server's scene (GET /materials/{id}/scene) to what is drawn
 * in each display mode. No WebGL here, so it is unit-tested in jsdom.
 *
 * Lengths are in Å as sent by the server; the only decisions made here are drawing
 * choices (sphere scale per mode, which bonds to show).
 */
import type { Scene } from "../../client/api";

export type ViewMode = "ball-and-stick" | "space-filling" | "polyhedra";

export const VIEW_MODES: Array<{ value: ViewMode; label: string }> = [
  { value: "ball-and-stick", label: "Ball and stick" },
  { value: "space-filling", label: "Space filling" },
  { value: "polyhedra", label: "Polyhedra" },
];

/** Fraction of the covalent radius drawn in ball-and-stick / polyhedral modes. */
export const BALL_SCALE = 0.35;
export const POLY_BALL_SCALE = 0.25;
export const BOND_RADIUS = 0.1; // Å

export type Vec3 = [number, number, number];

export interface SphereSpec {
  atom: number;
  element: string;
  colour: string;
  position: Vec3;
  radius: number;
}

/**
 * A drawn bond from `start` to `end`: the first half coloured like atom `a`, the second
 * like atom `b`. A bond across the boundary to an atom that is not drawn is a half bond:
 * it ends at the midpoint and has one colour.
 */
export interface BondSpec {
  a: number;
  b: number | null;
  colourA: string;
  colourB: string;
  start: Vec3;
  end: Vec3;
}

export interface PolyhedronSpec {
  centre: number;
  colour: string;
  positions: Float32Array; // xyz per vertex
  indices: number[]; // triangles
}

export interface DrawSpec {
  spheres: SphereSpec[];
  bonds: BondSpec[];
  polyhedra: PolyhedronSpec[];
  cellEdges: Array<[Vec3, Vec3]>;
  centre: Vec3;
  extent: number;
  /** Shown under the viewer when the mode cannot show what was asked for. */
  note: string | null;
}

const mid = (a: Vec3, b: Vec3): Vec3 => [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2, (a[2] + b[2]) / 2];

/** What to draw for `scene` in `mode`. */
export function drawSpec(scene: Scene, mode: ViewMode): DrawSpec {
  const atoms = scene.atoms;
  const polyCentres = new Set(scene.polyhedra.map((p) => p.centre));
  let note: string | null = null;
  const usePolyhedra = mode === "polyhedra" && scene.polyhedra.length > 0;
  if (mode === "polyhedra" && scene.polyhedra.length === 0) {
    note = "No coordination polyhedra (no cation with four or more anion neighbours).";
  }

  const spheres: SphereSpec[] = [];
  for (const a of atoms) {
    // polyhedral mode hides the centre atoms (they sit inside their polyhedra)
    if (usePolyhedra && polyCentres.has(a.index)) continue;
    const radius =
      mode === "space-filling"
        ? a.radius_space_filling
        : a.radius * (usePolyhedra ? POLY_BALL_SCALE : BALL_SCALE);
    spheres.push({
      atom: a.index,
      element: a.element,
      colour: a.colour,
      position: a.position as Vec3,
      radius,
    });
  }

  const bonds: BondSpec[] = [];
  if (mode !== "space-filling") {
    for (const b of scene.bonds) {
      if (usePolyhedra && (polyCentres.has(b.a) || (b.b !== null && polyCentres.has(b.b)))) {
        continue; // drawn as polyhedron edges instead
      }
      const start = b.start as Vec3;
      const colourA = atoms[b.a].colour;
      if (b.b === null) {
        bonds.push({ a: b.a, b: null, colourA, colourB: colourA, start, end: mid(start, b.end as Vec3) });
      } else {
        bonds.push({ a: b.a, b: b.b, colourA, colourB: atoms[b.b].colour, start, end: b.end as Vec3 });
      }
    }
  }

  const polyhedra: PolyhedronSpec[] = usePolyhedra
    ? scene.polyhedra.map((p) => ({
        centre: p.centre,
        colour: p.colour,
        positions: Float32Array.from(p.vertices.flat()),
        indices: p.faces.flat(),
      }))
    : [];

  return {
    spheres,
    bonds,
    polyhedra,
    cellEdges: scene.cell_edges as Array<[Vec3, Vec3]>,
    centre: scene.centre as Vec3,
    extent: scene.extent,
    note,
  };
}

/** Group spheres by (element, radius) so each group becomes one instanced mesh. */
export function groupSpheres(spheres: SphereSpec[]): Map<string, SphereSpec[]> {
  const groups = new Map<string, SphereSpec[]>();
  for (const s of spheres) {
    const key = `${s.element}|${s.radius.toFixed(3)}|${s.colour}`;
    const g = groups.get(key);
    if (g) g.push(s);
    else groups.set(key, [s]);
  }
  return groups;
}

/** Parse "2,2,2" style supercell text; null if not three integers 1..3. */
export function parseSupercell(text: string): [number, number, number] | null {
  const parts = text.split(",").map((p) => p.trim());
  if (parts.length !== 3) return null;
  const nums = parts.map((p) => (/^[1-3]$/.test(p) ? Number(p) : NaN));
  return nums.every((n) => Number.isInteger(n)) ? (nums as [number, number, number]) : null;
}
