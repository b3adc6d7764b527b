/**
 * The SEI–BEI efficiency plane (Abad-Zapatero & Metz 2005; AtlasCBS): the organisation's
 * molecules with an activity as dots (the best `PLANE_LIMIT` by score), this molecule as a
 * star. BEI = pActivity per kDa of MW, SEI = pActivity per 100 Å² of polar surface; up and
 * to the right is more potency per size and per polarity. Plain SVG (Chart2D), so it
 * renders under the strict CSP.
 */
import { formatNumber } from "../../format/number";
import { Chart2D } from "../plot/Chart2D";
import { extent } from "../plot/geometry";
import { Legend } from "../plot/Marker";
import { PLANE_LIMIT, type MoleculeSummary } from "./moleculeApi";

const finite = (x: number | null | undefined): x is number => x !== null && x !== undefined && Number.isFinite(x);

export interface PlanePoint {
  x: number;
  y: number;
  title: string;
}

/** SEI (x) and BEI (y) of a molecule, or null when either is missing. */
export function planePoint(m: Pick<MoleculeSummary, "id" | "name" | "indices">): PlanePoint | null {
  const { sei, bei } = m.indices;
  if (!finite(sei) || !finite(bei)) return null;
  return { x: sei, y: bei, title: `${m.name ?? `#${m.id}`}: SEI ${formatNumber(sei)}, BEI ${formatNumber(bei)}` };
}

/** The other molecules' points (this one left out) and this molecule's. */
export function planePoints(molecule: Pick<MoleculeSummary, "id" | "name" | "indices">, others: MoleculeSummary[]) {
  const rest = others.filter((o) => o.id !== molecule.id).map(planePoint).filter((p): p is PlanePoint => p !== null);
  return { others: rest, self: planePoint(molecule) };
}

export function EfficiencyPlane({
  molecule,
  others: list,
  total,
  label,
}: {
  molecule: MoleculeSummary;
  others: MoleculeSummary[];
  /** How many molecules the organisation has (the plane draws at most PLANE_LIMIT). */
  total: number;
  label: string;
}) {
  const { others, self } = planePoints(molecule, list);
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
          { label: `Your other molecules (${others.length})`, className: "plane-others" },
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
      {total > PLANE_LIMIT && (
        <p className="muted small">The best {PLANE_LIMIT} of your {total.toLocaleString()} molecules by score are drawn.</p>
      )}
    </div>
  );
}
