/**
 * One of the organisation's model versions, to decide on it: what it was trained on and
 * how, its comparison with the shipped model (your held-out measurements and the shipped
 * test split side by side, warnings when it is worse, held-out parity), its learning
 * curve, the MLflow run, and the Promote / Roll back actions.
 */
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router-dom";
import { propertyLabel } from "../../client/properties";
import { modelLabel, modelTitle } from "../../format/modelLabel";
import { formatNumber } from "../../format/number";
import { ErrorBox, Loading } from "../common/Status";
import { ComparisonTables, HoldoutParity } from "./Comparison";
import { comparisonWarnings, holdoutPoints, readComparison, readCurve, verdict, versionName } from "./comparison";
import { LearningCurve } from "./LearningCurve";
import { getVersion, modelKeys, type ModelVersion } from "./modelsApi";
import { ChangeNotice, PromoteButton, RollbackButton, type ModelChange } from "./VersionActions";

const obj = (x: unknown): Record<string, unknown> =>
  x && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : {};

function Facts({ v }: { v: ModelVersion }) {
  const card = obj(v.card);
  const data = obj(card.training_data);
  const hyper = obj(card.hyperparameters);
  const source = obj(card.source);
  const projectId = typeof source.project_id === "number" ? source.project_id : null;
  const run = typeof card.mlflow_run_id === "string" ? card.mlflow_run_id : null;
  const trackingError = typeof card.mlflow_error === "string" ? card.mlflow_error : null;
  const rows = typeof data.group_rows === "number" ? data.group_rows : null;
  return (
    <dl className="kv version-facts">
      <div className="kv-row">
        <dt>Model</dt>
        <dd title={modelTitle(v.name, v.version)} data-testid="version-label">
          {modelLabel(v.name, v.version)}
        </dd>
      </div>
      <div className="kv-row">
        <dt>Fine-tuned from</dt>
        <dd>
          {modelLabel(v.base_name, v.base_version)} <span className="muted">({v.base_version ?? "?"})</span>
        </dd>
      </div>
      <div className="kv-row">
        <dt>Trained on</dt>
        <dd>
          {rows !== null ? `${rows} of your measurements` : "your measurements"}
          {typeof data.group_rows_train === "number" &&
            ` (${data.group_rows_train} for training, ${String(data.group_rows_held_out ?? "?")} held out)`}
          {projectId !== null && (
            <>
              {" "}
              from <Link to={`/projects/${projectId}`}>project #{projectId}</Link>
            </>
          )}
          {typeof source.file === "string" && ` from ${source.file}`}
          {typeof data.replay_rows === "number" && `, plus ${data.replay_rows.toLocaleString("en")} replayed reference rows`}
        </dd>
      </div>
      {Object.keys(hyper).length > 0 && (
        <div className="kv-row">
          <dt>Settings</dt>
          <dd>
            {String(hyper.epochs ?? "?")} epochs · your rows weighted ×{String(hyper.user_weight ?? "?")} · held-out
            share {formatNumber(Number(hyper.holdout_fraction) * 100)} % · seed {String(hyper.seed ?? 0)}
          </dd>
        </div>
      )}
      <div className="kv-row">
        <dt>Trained</dt>
        <dd>
          {v.created_at ? new Date(v.created_at).toLocaleString() : "—"}
          {typeof card.training_seconds === "number" && ` in ${formatNumber(card.training_seconds, 2)} s`}
          {v.job_id != null && (
            <>
              {" "}
              · <Link to={`/models?job=${v.job_id}`}>run (job #{v.job_id})</Link>
            </>
          )}
        </dd>
      </div>
      <div className="kv-row">
        <dt>MLflow run</dt>
        <dd data-testid="mlflow-run">
          {run ? <code>{run}</code> : trackingError ? <span className="error">not tracked: {trackingError}</span> : "—"}
        </dd>
      </div>
      {v.data_fingerprint && (
        <div className="kv-row">
          <dt>Data fingerprint</dt>
          <dd>
            <code title={v.data_fingerprint}>{v.data_fingerprint.slice(0, 16)}…</code>
          </dd>
        </div>
      )}
      {v.artifact_uri && (
        <div className="kv-row">
          <dt>Artifact</dt>
          <dd>
            <code>{v.artifact_uri}</code>
          </dd>
        </div>
      )}
    </dl>
  );
}

export function VersionReview({
  versionId,
  inUse,
  canWrite,
}: {
  versionId: number;
  inUse: ModelVersion | null;
  canWrite: boolean;
}) {
  const version = useQuery({ queryKey: modelKeys.version(versionId), queryFn: () => getVersion(versionId) });
  const [change, setChange] = useState<ModelChange | null>(null);
  if (version.isPending) return <Loading label="Loading the model version…" />;
  if (version.isError) return <ErrorBox error={version.error} />;
  const v = version.data;
  const parts = readComparison(v.metrics);
  const computed = comparisonWarnings(parts, v.unit);
  const cardWarnings = (obj(v.card).warnings as unknown[] | undefined)?.map(String) ?? [];
  const warnings = computed.length > 0 || parts.length > 0 ? computed : cardWarnings;
  const outcome = verdict(parts);
  const curve = readCurve(obj(v.card).learning_curve);
  const epochs = Number(obj(obj(v.card).hyperparameters).epochs) || curve.length;
  const points = holdoutPoints(v.metrics);
  return (
    <article className="version-review" data-testid="version-review" data-version-id={v.id} data-status={v.status}>
      <div className="panel-head">
        <h2 id="review-title">
          {propertyLabel(v.property)}: {versionName(v)}
        </h2>
        <span>
          <span className={`status-pill ${v.status}`} data-testid="version-status">
            {v.status}
          </span>
          {v.in_use && <span className="status-pill in-use">in use</span>}
        </span>
      </div>
      <Facts v={v} />

      <h3>Fine-tuned vs shipped</h3>
      {warnings.length > 0 && (
        <div className="comparison-warnings" data-testid="comparison-warnings">
          <strong>Check before promoting</strong>
          <ul>
            {warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      )}
      {outcome === "better" && (
        <p className="verdict better" data-testid="verdict">
          Lower MAE than the shipped model on {parts.map((p) => p.title.toLowerCase()).join(" and on the ")}.
        </p>
      )}
      <ComparisonTables parts={parts} unit={v.unit} />
      <div className="review-plots">
        {points.length > 0 && (
          <section aria-label="Held-out parity">
            <h4>Held-out measurements: measured vs predicted</h4>
            <HoldoutParity points={points} unit={v.unit} label={propertyLabel(v.property)} />
          </section>
        )}
        {curve.length > 0 && (
          <section aria-label="Learning curve">
            <h4>Learning curve</h4>
            <LearningCurve curve={curve} epochs={epochs} unit={v.unit} />
          </section>
        )}
      </div>

      <div className="review-actions">
        {change && <ChangeNotice change={change} />}
        <PromoteButton version={v} inUse={inUse} warnings={warnings} canWrite={canWrite} onDone={setChange} />
        {v.status === "active" && (
          <RollbackButton property={v.property} active={v} canWrite={canWrite} onDone={setChange} />
        )}
      </div>
    </article>
  );
}
