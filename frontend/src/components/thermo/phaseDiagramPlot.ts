/**
 * Plotly traces and layout of a phase diagram (GET /phase-diagram) with one material
 * marked. Pure functions, unit-tested without a browser.
 *
 * binary: composition (fraction of the second element) vs formation energy, hull line;
 * ternary: Gibbs triangle (scatterternary) with stable phases and hull edges;
 * quaternary: tetrahedron (scatter3d) from the server's plot coordinates.
 */
import type { PhaseDiagram, PhaseEntry, Stability } from "../../client/api";

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
  const label =
    eAboveHull === null
      ? `${material.reduced_formula} (this material, no formation energy yet)`
      : `${material.reduced_formula} (this material): E above hull ${eAboveHull.toFixed(3)} eV/atom`;
  return { fractions, energy, eAboveHull, label };
}

type Trace = Record<string, unknown>;
export interface Figure {
  data: Trace[];
  layout: Record<string, unknown>;
}

const STABLE = "#256fb3";
const UNSTABLE = "#9aa5b4";
const PREDICTED = "#2f9e55";
const MARK = "#d62728";

const entryText = (e: PhaseEntry) =>
  `${e.formula}${e.source === "predicted" ? ` (your #${e.material_id})` : ""}<br>` +
  `E<sub>form</sub> ${e.formation_energy_per_atom.toFixed(3)} eV/atom<br>` +
  `E above hull ${e.e_above_hull.toFixed(3)} eV/atom`;

/** Endpoints of the hull edges, as coordinate lists with null between segments. */
function edgeCoordinates(
  diagram: PhaseDiagram,
  coord: (e: PhaseEntry) => number[],
  dims: number,
): Array<Array<number | null>> {
  const byName = new Map(diagram.entries.map((e) => [e.name, e]));
  const out: Array<Array<number | null>> = Array.from({ length: dims }, () => []);
  for (const [a, b] of diagram.tie_lines) {
    const ea = byName.get(a);
    const eb = byName.get(b);
    if (!ea || !eb) continue;
    const ca = coord(ea);
    const cb = coord(eb);
    for (let d = 0; d < dims; d++) out[d].push(ca[d], cb[d], null);
  }
  return out;
}

function groups(diagram: PhaseDiagram) {
  const stable = diagram.entries.filter((e) => e.is_stable);
  const unstable = diagram.entries.filter((e) => !e.is_stable && e.source === "reference");
  const predicted = diagram.entries.filter((e) => !e.is_stable && e.source === "predicted");
  return { stable, unstable, predicted };
}

function binaryFigure(diagram: PhaseDiagram, marker: Marker): Figure {
  const [, second] = diagram.elements;
  const xy = (e: PhaseEntry) => [e.x ?? e.fractions[second] ?? 0, e.y ?? e.formation_energy_per_atom];
  const [hx, hy] = edgeCoordinates(diagram, xy, 2);
  const { stable, unstable, predicted } = groups(diagram);
  const points = (entries: PhaseEntry[], extra: Trace): Trace => ({
    type: "scatter",
    x: entries.map((e) => xy(e)[0]),
    y: entries.map((e) => xy(e)[1]),
    text: entries.map(entryText),
    hovertemplate: "%{text}<extra></extra>",
    ...extra,
  });
  const data: Trace[] = [
    { type: "scatter", mode: "lines", x: hx, y: hy, name: "Hull", line: { color: STABLE, width: 2 }, hoverinfo: "skip" },
    points(unstable, { mode: "markers", name: "Above hull", marker: { color: UNSTABLE, size: 6 } }),
    points(predicted, { mode: "markers", name: "Your predictions", marker: { color: PREDICTED, size: 8, symbol: "diamond" } }),
    points(stable, {
      mode: "markers+text",
      name: "Stable",
      marker: { color: STABLE, size: 9 },
      textposition: "bottom center",
      texttemplate: stable.map((e) => e.formula),
      textfont: { size: 10, color: "#1d2330" },
      cliponaxis: false,
    }),
  ];
  const x = marker.fractions[1];
  if (marker.energy !== null) {
    data.push({
      type: "scatter",
      mode: "markers",
      x: [x],
      y: [marker.energy],
      name: "This material",
      text: [marker.label],
      hovertemplate: "%{text}<extra></extra>",
      marker: { color: MARK, size: 16, symbol: "star", line: { color: "#fff", width: 1 } },
    });
  }
  const shapes =
    marker.energy === null
      ? [{ type: "line", xref: "x", yref: "paper", x0: x, x1: x, y0: 0, y1: 1, line: { color: MARK, dash: "dot" } }]
      : [];
  return {
    data,
    layout: {
      xaxis: { title: { text: `Fraction of ${second} (${diagram.elements.join("–")})` }, range: [-0.03, 1.03], zeroline: false },
      yaxis: { title: { text: "Formation energy (eV/atom)" } },
      shapes,
      legend: { orientation: "h", y: -0.22 },
      margin: { l: 64, r: 16, t: 12, b: 60 },
      height: 420,
    },
  };
}

function ternaryFigure(diagram: PhaseDiagram, marker: Marker): Figure {
  const [ea, eb, ec] = diagram.elements;
  const abc = (e: PhaseEntry) => [e.fractions[ea] ?? 0, e.fractions[eb] ?? 0, e.fractions[ec] ?? 0];
  const [la, lb, lc] = edgeCoordinates(diagram, abc, 3);
  const { stable, unstable, predicted } = groups(diagram);
  const points = (entries: PhaseEntry[], extra: Trace): Trace => ({
    type: "scatterternary",
    a: entries.map((e) => abc(e)[0]),
    b: entries.map((e) => abc(e)[1]),
    c: entries.map((e) => abc(e)[2]),
    text: entries.map(entryText),
    hovertemplate: "%{text}<extra></extra>",
    ...extra,
  });
  const data: Trace[] = [
    { type: "scatterternary", mode: "lines", a: la, b: lb, c: lc, name: "Hull edges", line: { color: STABLE, width: 1.5 }, hoverinfo: "skip" },
    points(unstable, { mode: "markers", name: "Above hull", marker: { color: UNSTABLE, size: 5 } }),
    points(predicted, { mode: "markers", name: "Your predictions", marker: { color: PREDICTED, size: 8, symbol: "diamond" } }),
    points(stable, {
      mode: "markers+text",
      name: "Stable",
      marker: { color: STABLE, size: 8 },
      textposition: "top center",
      texttemplate: stable.map((e) => e.formula),
      textfont: { size: 10, color: "#1d2330" },
      cliponaxis: false,
    }),
    {
      type: "scatterternary",
      mode: "markers",
      a: [marker.fractions[0]],
      b: [marker.fractions[1]],
      c: [marker.fractions[2]],
      name: "This material",
      text: [marker.label],
      hovertemplate: "%{text}<extra></extra>",
      marker: {
        color: marker.energy === null ? "rgba(0,0,0,0)" : MARK,
        size: 16,
        symbol: "star",
        line: { color: MARK, width: marker.energy === null ? 2 : 1 },
      },
    },
  ];
  return {
    data,
    layout: {
      ternary: {
        sum: 1,
        aaxis: { title: { text: ea }, ticks: "", showticklabels: false },
        baxis: { title: { text: eb }, ticks: "", showticklabels: false },
        caxis: { title: { text: ec }, ticks: "", showticklabels: false },
      },
      legend: { orientation: "h", y: -0.08 },
      margin: { l: 40, r: 40, t: 30, b: 30 },
      height: 460,
    },
  };
}

/** Tetrahedron coordinates of fractions (same convention as the server's x, y, z). */
export function tetrahedron(f: number[]): [number, number, number] {
  const [, b, c, d] = f;
  return [b + c / 2 + d / 2, (c * Math.sqrt(3)) / 2 + (d * Math.sqrt(3)) / 6, d * Math.sqrt(2 / 3)];
}

function quaternaryFigure(diagram: PhaseDiagram, marker: Marker): Figure {
  const xyz = (e: PhaseEntry) =>
    e.x !== null && e.x !== undefined && e.y !== null && e.y !== undefined && e.z !== null && e.z !== undefined
      ? [e.x, e.y, e.z]
      : tetrahedron(diagram.elements.map((el) => e.fractions[el] ?? 0));
  const [lx, ly, lz] = edgeCoordinates(diagram, xyz, 3);
  const corners = [0, 1, 2, 3].map((i) => tetrahedron([0, 1, 2, 3].map((j) => (i === j ? 1 : 0))));
  const frame: Array<Array<number | null>> = [[], [], []];
  for (const [i, j] of [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]) {
    for (let d = 0; d < 3; d++) frame[d].push(corners[i][d], corners[j][d], null);
  }
  const { stable, unstable, predicted } = groups(diagram);
  const points = (entries: PhaseEntry[], extra: Trace): Trace => ({
    type: "scatter3d",
    x: entries.map((e) => xyz(e)[0]),
    y: entries.map((e) => xyz(e)[1]),
    z: entries.map((e) => xyz(e)[2]),
    text: entries.map(entryText),
    hovertemplate: "%{text}<extra></extra>",
    ...extra,
  });
  const m = tetrahedron(marker.fractions);
  const axis = { visible: false, showspikes: false };
  return {
    data: [
      { type: "scatter3d", mode: "lines", x: frame[0], y: frame[1], z: frame[2], name: "Tetrahedron", line: { color: "#444", width: 2 }, hoverinfo: "skip", showlegend: false },
      { type: "scatter3d", mode: "lines", x: lx, y: ly, z: lz, name: "Hull edges", line: { color: STABLE, width: 2 }, hoverinfo: "skip" },
      points(unstable, { mode: "markers", name: "Above hull", marker: { color: UNSTABLE, size: 3 } }),
      points(predicted, { mode: "markers", name: "Your predictions", marker: { color: PREDICTED, size: 5, symbol: "diamond" } }),
      points(stable, { mode: "markers+text", name: "Stable", marker: { color: STABLE, size: 5 }, texttemplate: stable.map((e) => e.formula) }),
      {
        type: "scatter3d",
        mode: "markers+text",
        x: [m[0]],
        y: [m[1]],
        z: [m[2]],
        name: "This material",
        text: [marker.label],
        texttemplate: ["this material"],
        hovertemplate: "%{text}<extra></extra>",
        marker: { color: marker.energy === null ? "#fff" : MARK, size: 8, symbol: "diamond", line: { color: MARK, width: 2 } },
      },
      {
        type: "scatter3d",
        mode: "text",
        x: corners.map((c) => c[0]),
        y: corners.map((c) => c[1]),
        z: corners.map((c) => c[2]),
        text: diagram.elements,
        textfont: { size: 14 },
        hoverinfo: "skip",
        showlegend: false,
      },
    ],
    layout: {
      scene: { xaxis: axis, yaxis: axis, zaxis: axis, aspectmode: "data" },
      legend: { orientation: "h", y: 0 },
      margin: { l: 0, r: 0, t: 0, b: 0 },
      height: 480,
    },
  };
}

/** Plotly figure for a 2–4 component diagram with the material marked. */
export function phaseDiagramFigure(diagram: PhaseDiagram, marker: Marker): Figure {
  const kind = diagramKind(diagram.elements.length);
  if (kind === "binary") return binaryFigure(diagram, marker);
  if (kind === "ternary") return ternaryFigure(diagram, marker);
  if (kind === "quaternary") return quaternaryFigure(diagram, marker);
  throw new Error(`no plot for a ${kind} system`);
}
