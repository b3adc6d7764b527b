/**
 * The SEI–BEI efficiency plane (Abad-Zapatero & Metz 2005; AtlasCBS): every molecule of the
 * organisation with an activity as a dot, this molecule as a star. BEI = pActivity per kDa of
 * MW, SEI = pActivity per 100 Å² of polar surface; up and to the right is more potency per
 * size and per polarity. Plain SVG (Chart2D), so it renders under the strict CSP.
 */
import { Chart2D } from "../plot/Chart2D";
import { extent } from "../plot/geometry";
import { Legend } from "../plot/Marker";
import { formatNumber } from "../../format/number";
import type { MoleculeRecord } from "./moleculeApi";

const finite = (x: number | null | undefined): x is number => x !== null && x !== undefined && Number.isFinite(x);

/** Molecules with both indices, split into the others and this one. */
export function planePoints(records: Iterable<MoleculeRecord>, id: number) {
  const others: Array<{ x: number; y: number; title: string }> = [];
  let self: { x: number; y: number; title: string } | null = null;
  for (const r of records) {
    if (!finite(r.sei) || !finite(r.bei)) continue;
    const p = { x: r.sei, y: r.bei, title: `${r.name ?? `#${r.id}`}: SEI ${formatNumber(r.sei)}, BEI ${formatNumber(r.bei)}` };
    if (r.id === id) self = p;
    else others.push(p);
  }
  return { others, self };
}

export function EfficiencyPlane({ records, id, label }: { records: Map<number, MoleculeRecord>; id: number; label: string }) {
  const { others, self } = planePoints(records.values(), id);
  if (!self) {
    return <p className="muted small">No SEI/BEI for this molecule (it needs an activity and polar surface).</p>;
  }
  const all = [...others, self];
  const xd = extent([0, ...all.map((p) => p.x)], 0.06);
  const yd = extent([0, ...all.map((p) => p.y)], 0.06);
  return (
    <div className="plot-box efficiency-plane" data-testid="efficiency-plane">
      <Legend
        items={[
          { label: `Your molecules (${others.length})`, className: "plane-others" },
          { label, className: "plane-self", shape: "star" },
        ]}
      />
      <Chart2D
        xLabel="SEI (pActivity per 100 Å² PSA)"
        yLabel="BEI (pActivity per kDa)"
        xDomain={[Math.max(0, xd[0]), xd[1]]}
        yDomain={[Math.max(0, yd[0]), yd[1]]}
        width={440}
        height={340}
        ariaLabel={`Efficiency plane: BEI against SEI for ${all.length} molecules; ${label} at SEI ${formatNumber(self.x)}, BEI ${formatNumber(self.y)}`}
        testId="efficiency-plane-svg"
        labels={[{ key: "self", x: self.x, y: self.y, text: label.length > 24 ? `${label.slice(0, 23)}…` : label }]}
        series={[
          { key: "others", className: "plane-others", size: 3, points: others },
          { key: "self", className: "plane-self", shape: "star", size: 8, points: [self] },
        ]}
      />
    </div>
  );
}
