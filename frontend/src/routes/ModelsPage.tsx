/** Model cards: training data, held-out metrics, calibration, and a parity plot. */
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type ModelCard } from "../client/api";
import { fmt, propertyLabel } from "../client/properties";
import { ErrorBox, Loading } from "../components/common/Status";
import { ParityPlot } from "../components/predictions/ParityPlot";
import { modelLabel, modelTitle } from "../format/modelLabel";

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

function Card({ card }: { card: ModelCard }) {
  const c = card as ModelCard & Record<string, unknown>;
  const metrics = obj(c.metrics_test) ?? obj(c.metrics);
  const calibration = obj(c.calibration);
  const data = obj(c.training_data);
  return (
    <article className="panel model-card" data-testid="model-card">
      <h2>
        {propertyLabel(card.property)} <span className="muted">({card.unit})</span>
      </h2>
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
              <h3>Training data</h3>
              <KeyValues data={data} />
            </>
          )}
          {metrics && (
            <>
              <h3>Held-out metrics</h3>
              <KeyValues data={metrics} />
            </>
          )}
          {calibration && (
            <>
              <h3>Calibration</h3>
              <KeyValues data={calibration} />
            </>
          )}
        </div>
        <div>
          <h3>Parity (held-out)</h3>
          <ParityPlot name={card.name} />
        </div>
      </div>
    </article>
  );
}

export default function ModelsPage() {
  const models = useQuery({
    queryKey: ["models"],
    queryFn: () => unwrap(api.GET("/api/v1/models")),
  });
  return (
    <div className="page">
      <h1>Models</h1>
      <p className="muted">
        Every prediction records the model name and version that made it. Uncertainties are
        calibrated on held-out data so the stated 95 % intervals cover what they claim.
      </p>
      {models.isPending && <Loading />}
      {models.isError && <ErrorBox error={models.error} />}
      {models.data && models.data.length === 0 && <p className="empty">No models are installed yet.</p>}
      {models.data?.map((m) => <Card key={`${m.name}-${m.version}`} card={m} />)}
    </div>
  );
}
