/**
 * Predicted vs measured for one property of a project: the SVG parity plot (predicted
 * ± σ against measured ± uncertainty, recalibrated values beside them when a
 * recalibration is on), MAE / RMSE / bias / 95 % coverage overall and per model, and the
 * residuals by chemical family.
 */
import { propertyLabel } from "../../client/properties";
import { formatNumber } from "../../format/number";
import { modelLabel, modelTitle } from "../../format/modelLabel";
import { Chart2D, type Series } from "../plot/Chart2D";
import { Legend } from "../plot/Marker";
import { extent, linear, niceTicks } from "../plot/geometry";
import type { Metrics, Parity } from "./projectApi";
import { TableScroll } from "../common/TableScroll";

/** "87 %" (coverage is a share). */
const percent = (x: number | null | undefined) =>
  x === null || x === undefined ? "—" : `${Math.round(x * 100)} %`;

export function MetricsList({ metrics, unit, testId }: { metrics: Metrics; unit: string; testId?: string }) {
  const rows: Array<[string, string, string]> = [
    ["n", "Points", String(metrics.n)],
    ["mae", "MAE", `${formatNumber(metrics.mae)} ${unit}`],
    ["rmse", "RMSE", `${formatNumber(metrics.rmse)} ${unit}`],
    ["bias", "Bias (predicted − measured)", `${formatNumber(metrics.bias)} ${unit}`],
    ["coverage95", "Inside the predicted 95 % interval", percent(metrics.coverage95)],
  ];
  return (
    <dl className="kv metrics" data-testid={testId}>
      {rows.map(([key, label, text]) => (
        <div className="kv-row" key={key}>
          <dt>{label}</dt>
          <dd data-metric={key}>{text}</dd>
        </div>
      ))}
    </dl>
  );
}

export function ParityPanel({ parity }: { parity: Parity }) {
  const { points, unit } = parity;
  const label = `${propertyLabel(parity.property)} (${unit})`;
  if (points.length === 0) {
    return (
      <p className="muted" data-testid="parity-empty">
        No measured {propertyLabel(parity.property).toLowerCase()} with a prediction yet
        {parity.skipped > 0 ? ` (${parity.skipped} measurement(s) have no prediction)` : ""}.
      </p>
    );
  }
  const recal = points.filter((p) => p.recalibrated !== null && p.recalibrated !== undefined);
  const domain = extent(
    points.flatMap((p) => [p.measured, p.predicted, ...(p.recalibrated != null ? [p.recalibrated] : [])]),
    0.08,
  );
  const series: Series[] = [
    {
      key: "predicted",
      className: "parity-points project-points",
      size: 4,
      points: points.map((p) => ({
        x: p.measured,
        y: p.predicted,
        dy: p.sigma ?? undefined,
        title: `${p.formula}: measured ${formatNumber(p.measured)}, predicted ${formatNumber(p.predicted)} ${unit} (${modelLabel(p.model_name, p.model_version)})`,
      })),
    },
  ];
  if (recal.length > 0) {
    series.push({
      key: "recalibrated",
      className: "recalibrated-points",
      shape: "diamond",
      size: 4,
      points: recal.map((p) => ({
        x: p.measured,
        y: p.recalibrated as number,
        title: `${p.formula}: recalibrated ${formatNumber(p.recalibrated)} ${unit}`,
      })),
    });
  }
  return (
    <div className="project-parity">
      <div className="parity-layout">
        <div className="plot-box project-parity-plot" data-testid="project-parity-plot">
          <Chart2D
            xLabel={`Measured ${label}`}
            yLabel={`Predicted ${label}`}
            xDomain={domain}
            yDomain={domain}
            width={440}
            height={400}
            ariaLabel={`Parity plot: ${points.length} predicted against measured values`}
            lines={[{ key: "diagonal", className: "diagonal", points: [[domain[0], domain[0]], [domain[1], domain[1]]] }]}
            series={series}
            labels={points.map((p) => ({ key: `l${p.measurement_id}`, x: p.measured, y: p.predicted, text: p.formula }))}
          />
          {recal.length > 0 && (
            <Legend
              items={[
                { label: "predicted", className: "project-points" },
                { label: "recalibrated", className: "recalibrated-points", shape: "diamond" },
              ]}
            />
          )}
        </div>
        <div className="parity-numbers">
          {parity.metrics && <MetricsList metrics={parity.metrics} unit={unit} testId="parity-metrics" />}
          {parity.recalibrated_metrics && parity.recalibration && (
            <>
              <h3>Recalibrated ({parity.recalibration.label})</h3>
              <MetricsList metrics={parity.recalibrated_metrics} unit={unit} testId="recalibrated-metrics" />
            </>
          )}
          {parity.skipped > 0 && (
            <p className="muted small">{parity.skipped} measurement(s) without a prediction are left out.</p>
          )}
        </div>
      </div>
      <h3>Per model</h3>
      <TableScroll label="Metrics per model">
        <table className="data" data-testid="per-model">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col" className="num">n</th>
              <th scope="col" className="num">MAE ({unit})</th>
              <th scope="col" className="num">RMSE ({unit})</th>
              <th scope="col" className="num">Bias ({unit})</th>
              <th scope="col" className="num">95 % coverage</th>
            </tr>
          </thead>
          <tbody>
            {parity.per_model.map((m) => (
              <tr key={`${m.model_name}@${m.model_version}`}>
                <td title={modelTitle(m.model_name, m.model_version)}>{modelLabel(m.model_name, m.model_version)}</td>
                <td className="num">{m.metrics.n}</td>
                <td className="num">{formatNumber(m.metrics.mae)}</td>
                <td className="num">{formatNumber(m.metrics.rmse)}</td>
                <td className="num">{formatNumber(m.metrics.bias)}</td>
                <td className="num">{percent(m.metrics.coverage95)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {parity.by_chemistry && parity.by_chemistry.length > 0 && (
        <ResidualsByChemistry parity={parity} />
      )}
    </div>
  );
}

/** One row per chemical family: each residual (predicted − measured) as a dot, the mean
 * as a bar from zero; the numbers in the table beside it. */
export function ResidualsByChemistry({ parity }: { parity: Parity }) {
  const families = parity.by_chemistry ?? [];
  const all = families.flatMap((f) => [...f.residuals, f.mean_residual, 0]);
  const lim = Math.max(...all.map(Math.abs), 1e-9) * 1.1;
  const W = 440;
  const L = 110;
  const R = 14;
  const rowH = 26;
  const H = families.length * rowH + 34;
  const sx = linear([-lim, lim], [L, W - R]);
  const ticks = niceTicks(-lim, lim, 4);
  return (
    <section aria-labelledby="residuals-title">
      <h3 id="residuals-title">Residuals by chemistry</h3>
      <div className="parity-layout">
        <div className="plot-box">
          <svg
            className="chart residuals"
            viewBox={`0 0 ${W} ${H}`}
            role="img"
            aria-label={`Residuals (predicted − measured) of ${families.length} chemical families`}
            data-testid="residuals-plot"
          >
            <g className="axis" aria-hidden="true">
              {ticks.map((t) => (
                <g key={t}>
                  <line className={t === 0 ? "zero" : "tick"} x1={sx(t)} x2={sx(t)} y1={4} y2={H - 26} />
                  <text x={sx(t)} y={H - 12} textAnchor="middle">
                    {formatNumber(t)}
                  </text>
                </g>
              ))}
            </g>
            {families.map((f, i) => {
              const y = 4 + i * rowH + rowH / 2;
              return (
                <g key={f.family} data-family={f.family}>
                  <text className="family-label" x={L - 8} y={y + 4} textAnchor="end">
                    {f.family}
                  </text>
                  <rect
                    className={f.mean_residual >= 0 ? "mean-bar over" : "mean-bar under"}
                    x={Math.min(sx(0), sx(f.mean_residual))}
                    y={y - 7}
                    width={Math.max(1, Math.abs(sx(f.mean_residual) - sx(0)))}
                    height={14}
                  >
                    <title>{`${f.family}: mean residual ${formatNumber(f.mean_residual)} ${parity.unit}`}</title>
                  </rect>
                  {f.residuals.map((r, j) => (
                    <circle key={j} className="residual" cx={sx(r)} cy={y} r={3} />
                  ))}
                </g>
              );
            })}
          </svg>
        </div>
        <TableScroll label="Residuals by chemical family">
          <table className="data" data-testid="residuals-table">
            <thead>
              <tr>
                <th scope="col">Family</th>
                <th scope="col" className="num">n</th>
                <th scope="col" className="num">Mean residual ({parity.unit})</th>
                <th scope="col" className="num">MAE ({parity.unit})</th>
              </tr>
            </thead>
            <tbody>
              {families.map((f) => (
                <tr key={f.family}>
                  <td>{f.family}</td>
                  <td className="num">{f.n}</td>
                  <td className="num">{formatNumber(f.mean_residual)}</td>
                  <td className="num">{formatNumber(f.mae)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </div>
    </section>
  );
}
