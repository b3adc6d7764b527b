/** The shipped models' cards (read-only): training data, held-out metrics, calibration, parity. */
import type { ModelCard } from "../../client/api";
import { fmt, propertyLabel } from "../../client/properties";
import { modelLabel, modelTitle } from "../../format/modelLabel";
import { ParityPlot } from "../predictions/ParityPlot";

function KeyValues({ data }: { data: Record<string, unknown> }) {
  return (
    <dl className="kv small">
      {Object.entries(data).map(([k, v]) => (
        <div key={k} className="kv-row">
          <dt>{k.replace(/_/g, " ")}</dt>
          <dd>{typeof v === "number" ? fmt(v, 4) : typeof v === "object" ? JSON.stringify(v) : String(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

const obj = (x: unknown) => (x && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : null);

/** A shipped model's card: training data, held-out metrics, calibration, parity plot. */
export function ShippedModelCard({ card }: { card: ModelCard }) {
  const c = card as ModelCard & Record<string, unknown>;
  const metrics = obj(c.metrics_test) ?? obj(c.metrics);
  const calibration = obj(c.calibration);
  const data = obj(c.training_data);
  return (
    <article className="panel model-card" data-testid="model-card">
      <h3>
        {propertyLabel(card.property)} <span className="muted">({card.unit})</span>
      </h3>
      <p className="small">
        <strong title={modelTitle(card.name, card.version)} data-testid="model-label">
          {modelLabel(card.name, card.version)}
        </strong>{" "}
        <span className="muted">v{card.version}</span> · {card.method}
        {typeof c.architecture === "string" && ` · ${c.architecture}`}
      </p>
      {typeof c.description === "string" && <p>{c.description}</p>}
      <div className="model-columns">
        <div>
          {data && (
            <>
              <h4>Training data</h4>
              <KeyValues data={data} />
            </>
          )}
          {metrics && (
            <>
              <h4>Held-out metrics</h4>
              <KeyValues data={metrics} />
            </>
          )}
          {calibration && (
            <>
              <h4>Calibration</h4>
              <KeyValues data={calibration} />
            </>
          )}
        </div>
        <div>
          <h4>Parity (held-out)</h4>
          <ParityPlot name={card.name} />
        </div>
      </div>
    </article>
  );
}
