/**
 * A training run's learning curve as two small SVG charts (they render under the strict
 * CSP): the weighted training loss and the held-out MAE after each epoch. The x axis spans
 * every planned epoch, so a running job's curve grows across it.
 */
import { formatNumber } from "../../format/number";
import { Chart2D, type Point } from "../plot/Chart2D";
import { extent } from "../plot/geometry";
import type { CurvePoint } from "./comparison";

function yDomain(values: number[]): [number, number] {
  if (values.length === 1) {
    const v = values[0];
    const d = Math.abs(v) * 0.1 || 0.1;
    return [v - d, v + d];
  }
  return extent(values, 0.12);
}

function CurveChart({
  points,
  epochs,
  label,
  testId,
  className,
  describe,
}: {
  points: Array<{ epoch: number; value: number }>;
  epochs: number;
  label: string;
  testId: string;
  className: string;
  describe: (v: number) => string;
}) {
  const xDomain: [number, number] = [0, Math.max(epochs, points.at(-1)?.epoch ?? 1, 1)];
  const data: Point[] = points.map((p) => ({ x: p.epoch, y: p.value, title: `epoch ${p.epoch}: ${describe(p.value)}` }));
  return (
    <figure className="curve-figure">
      <div className="plot-box">
        <Chart2D
          xLabel="Epoch"
          yLabel={label}
          xDomain={xDomain}
          yDomain={yDomain(points.map((p) => p.value))}
          width={420}
          height={240}
          testId={testId}
          className={`learning-curve ${className}`}
          ariaLabel={`${label} after each of ${points.length} epoch${points.length === 1 ? "" : "s"} of ${epochs}`}
          lines={points.length > 1 ? [{ key: "line", className: "curve-line", points: points.map((p) => [p.epoch, p.value]) }] : []}
          series={[{ key: "points", className: "curve-points", size: 3, points: data }]}
        />
      </div>
    </figure>
  );
}

export function LearningCurve({ curve, epochs, unit }: { curve: CurvePoint[]; epochs: number; unit: string }) {
  const loss = curve.flatMap((p) => (p.trainLoss === null ? [] : [{ epoch: p.epoch, value: p.trainLoss }]));
  const mae = curve.flatMap((p) => (p.holdoutMae === null ? [] : [{ epoch: p.epoch, value: p.holdoutMae }]));
  if (curve.length === 0) {
    return <p className="muted small">The learning curve appears after the first epoch.</p>;
  }
  const u = unit ? ` (${unit})` : "";
  return (
    <div className="learning-curves" data-testid="learning-curve" data-epochs={curve.length}>
      {loss.length > 0 && (
        <CurveChart
          points={loss}
          epochs={epochs}
          label="Training loss"
          testId="curve-loss"
          className="loss"
          describe={(v) => `weighted L1 loss ${formatNumber(v)}`}
        />
      )}
      {mae.length > 0 && (
        <CurveChart
          points={mae}
          epochs={epochs}
          label={`Held-out MAE${u}`}
          testId="curve-holdout"
          className="holdout"
          describe={(v) => `held-out MAE ${formatNumber(v)}${unit ? ` ${unit}` : ""}`}
        />
      )}
      <p className="muted small curve-note">
        Training loss: weighted L1 on standardised values (your rows and the replayed reference rows). Held-out MAE:
        the neural-network members on your held-out measurements (for band gaps the non-metals); the comparison
        with the shipped model scores the whole ensemble.
      </p>
    </div>
  );
}
