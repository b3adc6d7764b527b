/**
 * Pure geometry of the SVG plots (no Plotly, no eval: they render under the strict
 * `script-src 'self'` CSP): nice axis ticks, linear scales, label placement without
 * overlap, and the ternary / tetrahedron projections of the phase diagrams.
 */

export interface Scale {
  (v: number): number;
  domain: [number, number];
  range: [number, number];
}

/** Linear map of `domain` onto `range`. */
export function linear(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const f = ((v: number) => r0 + (v - d0) * k) as Scale;
  f.domain = domain;
  f.range = range;
  return f;
}

/** About `count` round tick values covering [lo, hi] (1, 2, 5 × 10^k steps). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / Math.max(count, 1);
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  }
  return out;
}

/** [lo, hi] of the values padded by `pad` of the span (or ±1 for a single value). */
export function extent(values: number[], pad = 0.05): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (lo === hi) return [lo - 1, hi + 1];
  const d = (hi - lo) * pad;
  lo -= d;
  hi += d;
  return [lo, hi];
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** Approximate width of `text` at `fontSize` px (sans-serif, digits narrower). */
export const textWidth = (text: string, fontSize = 11) => text.length * fontSize * 0.6;

export interface LabelRequest {
  key: string;
  text: string;
  x: number;
  y: number;
}

export interface PlacedLabel extends LabelRequest {
  /** Text anchor point (SVG `x`, `y` of the text baseline start). */
  tx: number;
  ty: number;
  box: Box;
}

/**
 * Greedy label placement: each label (in the given priority order) takes the first of
 * eight positions around its point that stays inside `bounds` and overlaps neither a
 * placed label nor any point (`obstacles`, radius `r`); labels that fit nowhere are left
 * out (their phase still has a hover tooltip). No two placed labels overlap.
 */
export function placeLabels(
  requests: LabelRequest[],
  bounds: Box,
  obstacles: Array<{ x: number; y: number }> = [],
  { fontSize = 11, r = 4 }: { fontSize?: number; r?: number } = {},
): PlacedLabel[] {
  const placed: PlacedLabel[] = [];
  const h = fontSize * 1.1;
  const pointBoxes = obstacles.map((p) => ({ x: p.x - r, y: p.y - r, w: 2 * r, h: 2 * r }));
  const inside = (b: Box) =>
    b.x >= bounds.x && b.y >= bounds.y && b.x + b.w <= bounds.x + bounds.w && b.y + b.h <= bounds.y + bounds.h;
  for (const q of requests) {
    const w = textWidth(q.text, fontSize);
    const gap = r + 2;
    const candidates: Box[] = [
      { x: q.x - w / 2, y: q.y - gap - h, w, h }, // above
      { x: q.x - w / 2, y: q.y + gap, w, h }, // below
      { x: q.x + gap, y: q.y - h / 2, w, h }, // right
      { x: q.x - gap - w, y: q.y - h / 2, w, h }, // left
      { x: q.x + gap, y: q.y - gap - h, w, h }, // above right
      { x: q.x - gap - w, y: q.y - gap - h, w, h }, // above left
      { x: q.x + gap, y: q.y + gap, w, h }, // below right
      { x: q.x - gap - w, y: q.y + gap, w, h }, // below left
    ];
    const box = candidates.find(
      (b) =>
        inside(b) &&
        !placed.some((p) => overlaps(p.box, b)) &&
        !pointBoxes.some((pb) => overlaps(pb, b)),
    );
    if (box) placed.push({ ...q, box, tx: box.x, ty: box.y + h * 0.82 });
  }
  return placed;
}

/** Gibbs-triangle coordinates of fractions (a, b, c): a at (0,0), b at (1,0), c on top. */
export function triangle([, b, c]: number[]): [number, number] {
  return [b + c / 2, (c * Math.sqrt(3)) / 2];
}

/** Tetrahedron coordinates of fractions (a, b, c, d) (the server's x, y, z convention). */
export function tetrahedron(f: number[]): [number, number, number] {
  const [, b, c, d] = f;
  return [b + c / 2 + d / 2, (c * Math.sqrt(3)) / 2 + (d * Math.sqrt(3)) / 6, d * Math.sqrt(2 / 3)];
}

/** Centre of the regular tetrahedron above. */
export const TETRA_CENTRE: [number, number, number] = [0.5, Math.sqrt(3) / 6, Math.sqrt(2 / 3) / 4];

/**
 * Orthographic view of a 3D point after turning by `azimuth` about the vertical (z) axis
 * and tilting by `elevation` (degrees); returns screen x, y (y up) and depth (larger =
 * nearer the viewer).
 */
export function project(
  p: [number, number, number],
  azimuth: number,
  elevation: number,
): { x: number; y: number; depth: number } {
  const [cx, cy, cz] = TETRA_CENTRE;
  const x = p[0] - cx;
  const y = p[1] - cy;
  const z = p[2] - cz;
  const a = (azimuth * Math.PI) / 180;
  const e = (elevation * Math.PI) / 180;
  const x1 = x * Math.cos(a) - y * Math.sin(a);
  const y1 = x * Math.sin(a) + y * Math.cos(a);
  // tilt: look from the side (y1 is depth) with the camera raised by `elevation`
  const up = z * Math.cos(e) - y1 * Math.sin(e);
  const depth = -(y1 * Math.cos(e) + z * Math.sin(e));
  return { x: x1, y: up, depth };
}
