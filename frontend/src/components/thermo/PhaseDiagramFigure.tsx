/**
 * SVG phase diagram (binary, ternary, quaternary) with non-overlapping labels of the
 * stable phases (every phase has a hover title), a legend, and for quaternary systems a
 * tetrahedron turned with sliders, drag or the arrow keys. Used by the material page's
 * panel and the stand-alone /phase-diagram page.
 */
import { useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from "react";
import type { PhaseDiagram } from "../../client/api";
import { columnFormatter } from "../../format/number";
import { Chart2D, type Line, type Series } from "../plot/Chart2D";
import { linear, placeLabels, project } from "../plot/geometry";
import { Legend, Marker, type MarkerShape } from "../plot/Marker";
import { diagramModel, type DiagramModel, type Group, type Marker as MaterialMarker, type PlacedEntry } from "./phaseDiagramPlot";

const GROUPS: Array<{ group: Group; label: string; className: string; shape: "circle" | "diamond"; size: number }> = [
  { group: "unstable", label: "Above hull (hover for name)", className: "pd-unstable", shape: "circle", size: 3 },
  { group: "predicted", label: "Your predictions", className: "pd-predicted", shape: "diamond", size: 5 },
  { group: "stable", label: "Stable (on the hull)", className: "pd-stable", shape: "circle", size: 4.5 },
];

function legendItems(model: DiagramModel) {
  const present = new Set(model.entries.map((e) => e.group));
  const items: Array<{ label: string; className: string; shape: MarkerShape }> = GROUPS.filter((g) => present.has(g.group)).map((g) => ({ label: g.label, className: g.className, shape: g.shape }));
  if (model.marker) {
    items.push({
      label: model.marker.hasEnergy ? "This material" : "This material (composition only)",
      className: model.marker.hasEnergy ? "pd-mark" : "pd-mark hollow",
      shape: "star",
    });
  }
  return items;
}

/** Stable phases first (labelled), lowest energy first. */
const labelOrder = (entries: PlacedEntry[]) =>
  entries
    .filter((e) => e.group === "stable")
    .sort((a, b) => a.entry.formation_energy_per_atom - b.entry.formation_energy_per_atom);

function Binary({ model, aria }: { model: DiagramModel; aria: string }) {
  const energies = model.entries.map((e) => e.at[1]);
  if (model.marker?.hasEnergy) energies.push(model.marker.at[1]);
  const lo = Math.min(0, ...energies);
  const hi = Math.max(0, ...energies);
  const pad = (hi - lo) * 0.08 || 0.5;
  const series: Series[] = GROUPS.map((g) => ({
    key: g.group,
    className: g.className,
    shape: g.shape,
    size: g.size,
    points: model.entries.filter((e) => e.group === g.group).map((e) => ({ x: e.at[0], y: e.at[1], title: e.title })),
  }));
  const m = model.marker;
  if (m?.hasEnergy) {
    series.push({ key: "mark", className: "pd-mark", shape: "star", size: 9, points: [{ x: m.at[0], y: m.at[1], title: m.label }] });
  }
  const lines: Line[] = model.edges.map(([a, b], i) => ({ key: `e${i}`, className: "pd-hull", points: [[a[0], a[1]], [b[0], b[1]]] }));
  return (
    <Chart2D
      xLabel={`Fraction of ${model.elements[1]} (${model.elements.join("–")})`}
      yLabel="Formation energy (eV/atom)"
      xDomain={[-0.03, 1.03]}
      yDomain={[lo - pad, hi + pad]}
      width={560}
      height={380}
      series={series}
      lines={lines}
      labels={labelOrder(model.entries).map((e) => ({ key: e.entry.name, text: e.entry.formula, x: e.at[0], y: e.at[1] }))}
      ariaLabel={aria}
      testId="phase-diagram-svg"
    >
      {(sx, sy) =>
        m && !m.hasEnergy ? (
          <line className="pd-mark-line" x1={sx(m.at[0])} x2={sx(m.at[0])} y1={sy(hi + pad)} y2={sy(lo - pad)}>
            <title>{m.label}</title>
          </line>
        ) : null
      }
    </Chart2D>
  );
}

interface Projected {
  x: number;
  y: number;
  depth: number;
}

/** Ternary and (projected) quaternary diagrams on one SVG canvas. */
function Simplex({
  model,
  aria,
  view,
}: {
  model: DiagramModel;
  aria: string;
  view: { azimuth: number; elevation: number } | null;
}) {
  const W = 520;
  const H = model.kind === "ternary" ? 470 : 500;
  const pad = 36;
  const to2d = (p: number[]): Projected =>
    view ? project(p as [number, number, number], view.azimuth, view.elevation) : { x: p[0], y: p[1], depth: 0 };
  const corners = model.corners.map(to2d);
  const xs = corners.map((c) => c.x);
  const ys = corners.map((c) => c.y);
  // same scale in x and y, centred
  const span = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys), view ? 1.05 : 0);
  const k = Math.min((W - 2 * pad) / span, (H - 2 * pad) / span);
  const cx = (Math.max(...xs) + Math.min(...xs)) / 2;
  const cy = (Math.max(...ys) + Math.min(...ys)) / 2;
  const sx = linear([cx - 1, cx + 1], [W / 2 - k, W / 2 + k]);
  const sy = linear([cy - 1, cy + 1], [H / 2 + k, H / 2 - k]);
  const pt = (p: number[]) => {
    const q = to2d(p);
    return { x: sx(q.x), y: sy(q.y), depth: q.depth };
  };
  const frame: Array<[number, number]> = model.kind === "ternary"
    ? [[0, 1], [1, 2], [2, 0]]
    : [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]];
  const placedEntries = model.entries
    .map((e) => ({ e, p: pt(e.at) }))
    .sort((a, b) => a.p.depth - b.p.depth);
  const cornerPts = model.corners.map(pt);
  const m = model.marker ? pt(model.marker.at) : null;
  const stable = labelOrder(model.entries).filter((e) => !model.corners.some((c) => c.every((v, i) => Math.abs(v - e.at[i]) < 1e-9)));
  const labels = placeLabels(
    stable.map((e) => {
      const p = pt(e.at);
      return { key: e.entry.name, text: e.entry.formula, x: p.x, y: p.y };
    }),
    { x: 2, y: 2, w: W - 4, h: H - 4 },
    [...placedEntries.map((x) => x.p), ...cornerPts, ...(m ? [m] : [])],
  );
  const style = (g: Group) => GROUPS.find((x) => x.group === g)!;
  return (
    <svg className="chart simplex" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={aria} data-testid="phase-diagram-svg">
      <g className="pd-frame">
        {frame.map(([i, j]) => (
          <line key={`${i}${j}`} x1={cornerPts[i].x} y1={cornerPts[i].y} x2={cornerPts[j].x} y2={cornerPts[j].y} />
        ))}
      </g>
      <g className="pd-hull">
        {model.edges.map(([a, b], i) => {
          const pa = pt(a);
          const pb = pt(b);
          return <line key={i} x1={pa.x} y1={pa.y} x2={pb.x} y2={pb.y} />;
        })}
      </g>
      {placedEntries.map(({ e, p }) => {
        const s = style(e.group);
        return <Marker key={e.entry.name} x={p.x} y={p.y} shape={s.shape} size={s.size} className={s.className} title={e.title} />;
      })}
      {m && model.marker && (
        <Marker x={m.x} y={m.y} shape="star" size={9} className={model.marker.hasEnergy ? "pd-mark" : "pd-mark hollow"} title={model.marker.label} />
      )}
      <g className="pd-corners">
        {cornerPts.map((c, i) => {
          const dx = c.x - W / 2;
          const dy = c.y - H / 2;
          const n = Math.hypot(dx, dy) || 1;
          return (
            <text key={model.elements[i]} x={c.x + (dx / n) * 16} y={c.y + (dy / n) * 16 + 5} textAnchor="middle">
              {model.elements[i]}
            </text>
          );
        })}
      </g>
      <g className="point-labels">
        {labels.map((l) => (
          <text key={l.key} x={l.tx} y={l.ty}>
            {l.text}
          </text>
        ))}
      </g>
    </svg>
  );
}

function Rotatable({ model, aria }: { model: DiagramModel; aria: string }) {
  const [view, setView] = useState({ azimuth: 25, elevation: 20 });
  const drag = useRef<{ x: number; y: number } | null>(null);
  const turn = (da: number, de: number) =>
    setView((v) => ({ azimuth: (((v.azimuth + da) % 360) + 360) % 360, elevation: Math.max(-90, Math.min(90, v.elevation + de)) }));
  const onKey = (e: KeyboardEvent) => {
    const step = e.shiftKey ? 15 : 5;
    const moves: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    const mv = moves[e.key];
    if (mv) {
      e.preventDefault();
      turn(...mv);
    }
  };
  const onDown = (e: PointerEvent) => {
    drag.current = { x: e.clientX, y: e.clientY };
    (e.currentTarget as HTMLElement).setPointerCapture?.(e.pointerId);
  };
  const onMove = (e: PointerEvent) => {
    if (!drag.current) return;
    turn((e.clientX - drag.current.x) * 0.5, (e.clientY - drag.current.y) * 0.5);
    drag.current = { x: e.clientX, y: e.clientY };
  };
  return (
    <>
      <div
        className="rotatable"
        tabIndex={0}
        role="group"
        aria-label="Tetrahedron: drag or use the arrow keys to turn it"
        onKeyDown={onKey}
        onPointerDown={onDown}
        onPointerMove={onMove}
        onPointerUp={() => (drag.current = null)}
        onPointerCancel={() => (drag.current = null)}
      >
        <Simplex model={model} aria={aria} view={view} />
      </div>
      <div className="rotate-controls small">
        <label>
          Turn <input type="range" min={0} max={359} value={Math.round(view.azimuth)} onChange={(e) => setView((v) => ({ ...v, azimuth: Number(e.target.value) }))} />
        </label>
        <label>
          Tilt <input type="range" min={-90} max={90} value={Math.round(view.elevation)} onChange={(e) => setView((v) => ({ ...v, elevation: Number(e.target.value) }))} />
        </label>
        <button type="button" className="secondary" onClick={() => setView({ azimuth: 25, elevation: 20 })}>
          Reset view
        </button>
      </div>
    </>
  );
}

/** Every phase as a table (open by default for quaternary systems). */
export function PhaseTable({ model, open }: { model: DiagramModel; open: boolean }) {
  const rows = [...model.entries].sort(
    (a, b) => Number(b.entry.is_stable) - Number(a.entry.is_stable) || a.entry.e_above_hull - b.entry.e_above_hull,
  );
  const fe = columnFormatter(rows.map((r) => r.entry.formation_energy_per_atom));
  return (
    <details className="phase-table" open={open}>
      <summary>All {rows.length} phases as a table</summary>
      <div className="table-wrap">
        <table className="data small" data-testid="phase-table">
          <thead>
            <tr>
              <th scope="col">Phase</th>
              <th scope="col">Formation energy (eV/atom)</th>
              <th scope="col">Above hull (eV/atom)</th>
              <th scope="col">Source</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ entry: e }) => (
              <tr key={e.name}>
                <td>{e.formula}</td>
                <td className="num">{fe(e.formation_energy_per_atom)}</td>
                <td className="num">{e.is_stable ? "on the hull" : e.e_above_hull.toFixed(3)}</td>
                <td>{e.source === "predicted" ? `your #${e.material_id}` : "reference"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

export function PhaseDiagramFigure({
  diagram,
  marker,
  includePredicted = true,
}: {
  diagram: PhaseDiagram;
  marker: MaterialMarker | null;
  includePredicted?: boolean;
}) {
  const model = useMemo(() => diagramModel(diagram, marker, { includePredicted }), [diagram, marker, includePredicted]);
  const aria =
    `Phase diagram of ${diagram.chemsys}: ${model.entries.length} phases, ${diagram.stable.length} stable.` +
    (marker ? ` ${marker.label}.` : "");
  return (
    <div className="phase-plot plot-box" data-testid="phase-diagram-plot">
      {model.kind === "binary" && <Binary model={model} aria={aria} />}
      {model.kind === "ternary" && <Simplex model={model} aria={aria} view={null} />}
      {model.kind === "quaternary" && <Rotatable model={model} aria={aria} />}
      <Legend items={legendItems(model)} />
      <PhaseTable model={model} open={model.kind === "quaternary"} />
    </div>
  );
}
