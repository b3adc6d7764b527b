/**
 * A candidate model next to the shipped one: one table per set of rows (your held-out
 * measurements, the shipped test split) with MAE, RMSE and 95 % coverage side by side,
 * the warnings when the candidate is worse, and a parity plot of the held-out rows.
 */
import { formatNumber } from "../../format/number";
import { Chart2D } from "../plot/Chart2D";
import { extent } from "../plot/geometry";
import { Legend } from "../plot/Marker";
import { TableScroll } from "../common/TableScroll";
import { metricRows, type ComparisonPart, type HoldoutPoint } from "./comparison";

const MARK: Record<string, string> = { true: "better", false: "worse", null: "" };

function PartTable({ part, unit }: { part: ComparisonPart; unit: string }) {
  const rows = metricRows(part, unit);
  return (
    <div className={`comparison-part${part.worse ? " worse" : ""}`} data-testid="comparison-part" data-part={part.key}>
      <h4>{part.title}</h4>
      <p className="muted small">{part.description}</p>
      <TableScroll label={`${part.title}: shipped and fine-tuned model`}>
        <table className="data comparison-table">
          <caption className="sr-only">{part.title}: shipped and fine-tuned model</caption>
          <thead>
            <tr>
              <th scope="col">Metric</th>
              <th scope="col" className="num">
                Shipped
              </th>
              <th scope="col" className="num">
                Fine-tuned
              </th>
              <th scope="col" className="num">
                Change
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key} data-metric={r.key}>
                <th scope="row">{r.label}</th>
                <td className="num" data-testid="shipped-value" data-value={part.shipped[r.key] ?? ""}>
                  {r.shipped}
                </td>
                <td className="num" data-testid="candidate-value" data-value={part.candidate[r.key] ?? ""}>
                  {r.candidate}
                </td>
                <td className={`num change ${MARK[String(r.better)]}`}>
                  {r.change}
                  {r.better !== null && <span className="sr-only"> ({MARK[String(r.better)]})</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </div>
  );
}

export function ComparisonTables({ parts, unit }: { parts: ComparisonPart[]; unit: string }) {
  if (parts.length === 0) return <p className="muted">This version has no comparison with the shipped model.</p>;
  return (
    <div className="comparison-grid" data-testid="comparison">
      {parts.map((p) => (
        <PartTable key={p.key} part={p} unit={unit} />
      ))}
    </div>
  );
}

/** Measured vs predicted on the held-out measurements, both models. */
export function HoldoutParity({ points, unit, label }: { points: HoldoutPoint[]; unit: string; label: string }) {
  if (points.length === 0) return null;
  const domain = extent(points.flatMap((p) => [p.measured, p.shipped, p.candidate]), 0.05);
  const u = unit ? ` ${unit}` : "";
  const axis = unit ? `${label} (${unit})` : label;
  const title = (p: HoldoutPoint, model: string, value: number) =>
    `${p.formula}: measured ${formatNumber(p.measured)}${u}, ${model} ${formatNumber(value)}${u}`;
  return (
    <figure className="holdout-parity" data-testid="holdout-parity" data-points={points.length}>
      <div className="plot-box">
        <Chart2D
          xLabel={`Measured ${axis}`}
          yLabel={`Predicted ${axis}`}
          xDomain={domain}
          yDomain={domain}
          width={420}
          height={400}
          ariaLabel={`Parity plot of ${points.length} held-out measurements: shipped and fine-tuned predictions against measured values`}
          lines={[{ key: "diagonal", className: "diagonal", points: [[domain[0], domain[0]], [domain[1], domain[1]]] }]}
          series={[
            {
              key: "shipped",
              className: "shipped-points",
              size: 3.2,
              points: points.map((p) => ({ x: p.measured, y: p.shipped, title: title(p, "shipped", p.shipped) })),
            },
            {
              key: "candidate",
              className: "candidate-points",
              shape: "diamond",
              size: 3.6,
              points: points.map((p) => ({ x: p.measured, y: p.candidate, title: title(p, "fine-tuned", p.candidate) })),
            },
          ]}
        />
      </div>
      <figcaption className="small">
        <Legend
          items={[
            { label: "shipped", className: "shipped-points" },
            { label: "fine-tuned", className: "candidate-points", shape: "diamond" },
          ]}
        />
        {points.length} held-out measurements; the dashed line is a perfect prediction.
      </figcaption>
    </figure>
  );
}
