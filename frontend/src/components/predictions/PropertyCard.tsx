/** One predicted property: value ± σ with unit, an uncertainty bar, interval, method, model. */
import type { Prediction } from "../../client/api";
import { ALL_PROPERTIES, propertyLabel } from "../../client/properties";
import {
  formatInterval,
  formatMeasured,
  formatPMetal,
  formatWithSigma,
  intervalExplanation,
  metalCall,
} from "../../format/number";
import { modelLabel, modelTitle } from "../../format/modelLabel";

const ORDER = new Map<string, number>(ALL_PROPERTIES.map((p, i) => [p, i]));
/** Cards in a fixed order: energies, band gap, moduli, Debye temperature. */
export function sortPredictions(ps: Prediction[]): Prediction[] {
  return [...ps].sort((a, b) => (ORDER.get(a.property) ?? 99) - (ORDER.get(b.property) ?? 99));
}

/** Geometry of the uncertainty bar, in percent of its width (exported for tests). */
export function barGeometry(p: Pick<Prediction, "value" | "std" | "interval_low" | "interval_high">) {
  const sigma = p.std ?? 0;
  const low = p.interval_low ?? p.value - 1.96 * sigma;
  const high = p.interval_high ?? p.value + 1.96 * sigma;
  let lo = Math.min(low, p.value - sigma);
  let hi = Math.max(high, p.value + sigma);
  const pad = (hi - lo) * 0.1 || Math.abs(p.value) * 0.1 || 1;
  lo -= pad;
  hi += pad;
  const x = (v: number) => ((v - lo) / (hi - lo)) * 100;
  return {
    value: x(p.value),
    sigmaLow: x(p.value - sigma),
    sigmaHigh: x(p.value + sigma),
    intervalLow: x(low),
    intervalHigh: x(high),
  };
}

export function PropertyCard({ prediction: p }: { prediction: Prediction }) {
  const g = barGeometry(p);
  const m = formatMeasured(p.value, p.std);
  const hasSigma = m.sigma !== null;
  const hasInterval = p.interval_low !== null && p.interval_high !== null;
  const metal = metalCall(p);
  const valueText = hasSigma ? formatWithSigma(p.value, p.std) : m.value;
  const interval = hasInterval
    ? formatInterval(p.interval_low as number, p.interval_high as number, m.decimals)
    : null;
  return (
    <article
      className={`card property-card${p.in_domain ? "" : " out-of-domain"}`}
      data-testid="property-card"
      data-property={p.property}
    >
      <h3>{propertyLabel(p.property)}</h3>
      {metal ? (
        <p className="value">
          <span data-testid="value">metal</span>
          {metal.pMetal !== null && (
            <span className="sigma" data-testid="p-metal">
              {" "}
              {formatPMetal(metal.pMetal)}
            </span>
          )}
        </p>
      ) : (
        <p className="value">
          <span data-testid="value">{m.power ? `(${m.value}` : m.value}</span>
          {hasSigma && (
            <span className="sigma" data-testid="sigma">
              {" "}
              ± {m.sigma}
              {m.power ? `)${m.power}` : ""}
            </span>
          )}{" "}
          <span className="unit" data-testid="unit">
            {p.unit}
          </span>
        </p>
      )}
      {metal && (
        <p className="small muted" data-testid="metal-gap">
          predicted gap {valueText} {p.unit}
        </p>
      )}
      {hasSigma && (
        <svg
          className="sigma-bar"
          viewBox="0 0 100 12"
          preserveAspectRatio="none"
          role="img"
          aria-label={`${propertyLabel(p.property)}: ${valueText} ${p.unit}${interval ? `, ${interval}` : ""}`}
        >
          <line x1="0" x2="100" y1="6" y2="6" className="axis" />
          {hasInterval && (
            <line x1={g.intervalLow} x2={g.intervalHigh} y1="6" y2="6" className="interval" />
          )}
          <rect x={g.sigmaLow} width={Math.max(g.sigmaHigh - g.sigmaLow, 0.5)} y="2" height="8" className="sigma-box" />
          <line x1={g.value} x2={g.value} y1="0" y2="12" className="marker" />
        </svg>
      )}
      <dl className="kv small">
        {interval && (
          <>
            <dt>Interval</dt>
            <dd>
              <span
                className="has-tip"
                tabIndex={0}
                data-testid="interval"
                title={intervalExplanation(p.value, p.std, p.interval_low as number, p.interval_high as number)}
              >
                {interval} {p.unit}
              </span>
            </dd>
          </>
        )}
        <dt>Method</dt>
        <dd>{p.method}</dd>
        <dt>Model</dt>
        <dd
          title={modelTitle(p.model_name, p.model_version)}
          data-testid="model"
          data-model-name={p.model_name ?? ""}
          data-model-version={p.model_version ?? ""}
        >
          {modelLabel(p.model_name, p.model_version)}
        </dd>
      </dl>
      {!p.in_domain && <p className="badge warn">Outside the training domain</p>}
      {p.warnings.length > 0 && (
        <ul className="warnings small">
          {p.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
    </article>
  );
}

export function PropertyCards({ predictions }: { predictions: Prediction[] }) {
  return (
    <div className="card-grid" data-testid="property-cards">
      {sortPredictions(predictions).map((p) => (
        <PropertyCard key={`${p.property}-${p.id ?? p.model_name}`} prediction={p} />
      ))}
    </div>
  );
}
