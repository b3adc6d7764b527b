/**
 * Geometry of a phase diagram (GET /phase-diagram), optionally with one material marked,
 * for the SVG figure (`PhaseDiagramFigure`). Pure functions, unit-tested without a browser.
 *
 * binary: composition (fraction of the second element) vs formation energy, hull line;
 * ternary: Gibbs triangle with stable phases and hull edges;
 * quaternary: tetrahedron (3D points, turned and projected by the figure).
 */
import type { PhaseDiagram, PhaseEntry, Stability } from "../../client/api";
import { fixed } from "../../format/number";
import { tetrahedron, triangle } from "../plot/geometry";

export { tetrahedron, triangle };

export type DiagramKind = "unary" | "binary" | "ternary" | "quaternary" | "too-many";

export function diagramKind(nElements: number): DiagramKind {
  if (nElements <= 1) return "unary";
  if (nElements === 2) return "binary";
  if (nElements === 3) return "ternary";
  if (nElements === 4) return "quaternary";
  return "too-many";
}

/** Atomic amounts of a formula such as "Ti168 O336", "Fe2O3" or "Li0.5 Co O2". */
export function parseFormula(formula: string): Map<string, number> {
  const amounts = new Map<string, number>();
  for (const m of formula.matchAll(/([A-Z][a-z]?)\s*(\d+(?:\.\d+)?|\.\d+)?/g)) {
    const n = m[2] === undefined ? 1 : Number(m[2]);
    amounts.set(m[1], (amounts.get(m[1]) ?? 0) + n);
  }
  return amounts;
}

/** Atomic fraction of each of `elements` in `formula` (0 for absent elements). */
export function atomicFractions(formula: string, elements: string[]): number[] {
  const amounts = parseFormula(formula);
  const total = elements.reduce((s, e) => s + (amounts.get(e) ?? 0), 0);
  return elements.map((e) => (total > 0 ? (amounts.get(e) ?? 0) / total : 0));
}

/** Where the material sits on the diagram and with what energy (eV/atom). */
export interface Marker {
  fractions: number[];
  /** Formation energy; null when the material has none yet (composition only). */
  energy: number | null;
  eAboveHull: number | null;
  label: string;
}

/**
 * The marked material: its own entry on the diagram (your predicted materials are
 * placed on it), else its stability result, else its composition only.
 */
export function materialMarker(
  diagram: PhaseDiagram,
  material: { id: number; formula: string; reduced_formula: string },
  stability: Stability | undefined,
): Marker {
  const own = diagram.entries.find((e) => e.material_id === material.id);
  const fractions = own
    ? diagram.elements.map((el) => own.fractions[el] ?? 0)
    : atomicFractions(material.formula, diagram.elements);
  const energy = stability?.formation_energy_per_atom ?? own?.formation_energy_per_atom ?? null;
  const eAboveHull = stability?.e_above_hull ?? own?.e_above_hull ?? null;
  const below = stability?.below_hull_by ?? 0;
  const label =
    eAboveHull === null
      ? `${material.reduced_formula} (this material, no formation energy yet)`
      : below > 0
        ? `${material.reduced_formula} (this material): below the known hull by ${fixed(below, 3)} eV/atom`
        : `${material.reduced_formula} (this material): E above hull ${fixed(eAboveHull, 3)} eV/atom`;
  return { fractions, energy, eAboveHull, label };
}

export type Group = "stable" | "unstable" | "predicted";

/** One phase placed on the diagram. */
export interface PlacedEntry {
  entry: PhaseEntry;
  group: Group;
  /** binary: [x, energy]; ternary: triangle [x, y]; quaternary: tetrahedron [x, y, z]. */
  at: number[];
  title: string;
}

export interface DiagramModel {
  kind: "binary" | "ternary" | "quaternary";
  elements: string[];
  entries: PlacedEntry[];
  /** Hull edges (tie lines) as pairs of points in the same coordinates as `at`. */
  edges: Array<[number[], number[]]>;
  /** The marked material: a point (with energy) or, for binaries without one, an x. */
  marker: { at: number[]; label: string; hasEnergy: boolean } | null;
  /** The simplex corners (the elements) in the same coordinates. */
  corners: number[][];
}

/** Hover text of a phase. */
export function entryTitle(e: PhaseEntry): string {
  const own = e.source === "predicted" ? ` (your #${e.material_id})` : "";
  const state = e.is_stable ? "on the hull" : `${fixed(e.e_above_hull, 3)} eV/atom above the hull`;
  return `${e.formula}${own}: formation energy ${fixed(e.formation_energy_per_atom, 3)} eV/atom, ${state}`;
}

function groupOf(e: PhaseEntry): Group {
  if (e.source === "predicted") return "predicted";
  return e.is_stable ? "stable" : "unstable";
}

/**
 * Where every phase, hull edge and the marked material go. `includePredicted: false`
 * drops your own predicted phases (the stand-alone page's switch; the hull itself is the
 * server's and may still pass through one of them).
 */
export function diagramModel(
  diagram: PhaseDiagram,
  marker: Marker | null,
  { includePredicted = true }: { includePredicted?: boolean } = {},
): DiagramModel {
  const kind = diagramKind(diagram.elements.length);
  if (kind !== "binary" && kind !== "ternary" && kind !== "quaternary") {
    throw new Error(`no plot for a ${kind} system`);
  }
  const els = diagram.elements;
  const fr = (e: PhaseEntry) => els.map((el) => e.fractions[el] ?? 0);
  const coord = (fractions: number[], energy: number): number[] =>
    kind === "binary" ? [fractions[1], energy] : kind === "ternary" ? triangle(fractions) : tetrahedron(fractions);
  const entries = diagram.entries
    .filter((e) => includePredicted || e.source !== "predicted" || e.is_stable)
    .map((e) => ({ entry: e, group: groupOf(e), at: coord(fr(e), e.formation_energy_per_atom), title: entryTitle(e) }));
  const byName = new Map(diagram.entries.map((e) => [e.name, e]));
  const edges: Array<[number[], number[]]> = [];
  for (const [a, b] of diagram.tie_lines) {
    const ea = byName.get(a);
    const eb = byName.get(b);
    if (ea && eb) edges.push([coord(fr(ea), ea.formation_energy_per_atom), coord(fr(eb), eb.formation_energy_per_atom)]);
  }
  const corners = els.map((_, i) => coord(els.map((__, j) => (i === j ? 1 : 0)), 0));
  return {
    kind,
    elements: els,
    entries,
    edges,
    corners,
    marker: marker
      ? { at: coord(marker.fractions, marker.energy ?? 0), label: marker.label, hasEnergy: marker.energy !== null }
      : null,
  };
}

/** Badge of a stability result: never "on the hull" for a material below the known hull. */
export function stabilityBadge(s: Pick<Stability, "is_stable" | "below_hull_by" | "e_above_hull">): {
  text: string;
  kind: "below" | "on" | "above";
} {
  if (s.below_hull_by > 0.0005) {
    return { text: `below the known hull by ${fixed(s.below_hull_by, 3)} eV/atom`, kind: "below" };
  }
  if (s.is_stable) return { text: "on the hull", kind: "on" };
  return { text: `${fixed(s.e_above_hull, 3)} eV/atom above the hull`, kind: "above" };
}
