/**
 * A training run followed live (the job's event stream, polling as a fallback): the epoch
 * it is in, a progress bar, the learning curve growing epoch by epoch, Stop; when it ends,
 * the registered version (then reviewed below it) or why it failed.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef } from "react";
import { Link } from "react-router-dom";
import { api, unwrap } from "../../client/api";
import { propertyLabel } from "../../client/properties";
import { ErrorBox, Loading } from "../common/Status";
import { useFollowedJob } from "../jobs/followJob";
import { readCurve, runStage } from "./comparison";
import { LearningCurve } from "./LearningCurve";
import { modelKeys } from "./modelsApi";

const obj = (x: unknown): Record<string, unknown> =>
  x && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : {};

export function TrainingRun({
  jobId,
  canWrite,
  onVersion,
}: {
  jobId: number;
  canWrite: boolean;
  /** Called once with the registered version's id when the run succeeds. */
  onVersion: (versionId: number) => void;
}) {
  const client = useQueryClient();
  const onFinished = useCallback(() => {
    void client.invalidateQueries({ queryKey: modelKeys.versions });
    void client.invalidateQueries({ queryKey: modelKeys.runs });
  }, [client]);
  const { job, active, live } = useFollowedJob(jobId, 2000, onFinished);
  const cancel = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/jobs/{job_id}/cancel", { params: { path: { job_id: jobId } } })),
    onSuccess: (j) => client.setQueryData(["job", jobId], j),
  });
  const versionId = typeof job.data?.params.model_version_id === "number" ? job.data.params.model_version_id : null;
  const announced = useRef(false);
  useEffect(() => {
    if (versionId !== null && job.data?.status === "succeeded" && !announced.current) {
      announced.current = true;
      onVersion(versionId);
    }
  }, [versionId, job.data?.status, onVersion]);

  if (job.isPending) return <Loading label="Loading the run…" />;
  if (job.isError) return <ErrorBox error={job.error} />;
  const j = job.data;
  const params = obj(j.params);
  const property = String(params.property ?? "");
  const unit = String(params.unit ?? "");
  const options = obj(params.options);
  const epochs = Number(options.epochs) || Math.max(j.total - 1, 1);
  const curve = readCurve(params.learning_curve);
  const source = obj(params.source);
  const pct = Math.round((j.progress ?? 0) * 100);
  return (
    <article className="training-run" data-testid="training-run" data-status={j.status} data-job-id={j.id}>
      <div className="panel-head">
        <h3>
          Run {j.id}: {propertyLabel(property)}
        </h3>
        <span className={`status-pill ${j.status}`} data-testid="run-status">
          {j.status}
        </span>
      </div>
      <p className="muted small">
        {String(params.rows ?? "?")} measurements
        {typeof source.project_id === "number" && (
          <>
            {" "}
            from <Link to={`/projects/${source.project_id}`}>project #{source.project_id}</Link>
          </>
        )}
        {typeof source.file === "string" && ` from ${source.file}`} · {epochs} epochs · started{" "}
        {new Date(j.created_at).toLocaleString()}
        {active && (live ? " · live" : " · updating")}
      </p>
      <div
        className={`progress-track ${j.status}`}
        role="progressbar"
        aria-label={`Training run ${j.id}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-valuetext={runStage(j.status, j.processed, j.total)}
        data-testid="run-progress"
      >
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      <p className="run-stage" data-testid="run-stage" aria-live="polite">
        {runStage(j.status, j.processed, j.total)}
      </p>
      <LearningCurve curve={curve} epochs={epochs} unit={unit} />
      {active && canWrite && (
        <div className="button-row">
          <button
            type="button"
            onClick={() => cancel.mutate()}
            disabled={cancel.isPending || j.status === "cancelling"}
            data-testid="cancel-run"
          >
            Stop after this epoch
          </button>
        </div>
      )}
      {cancel.isError && <ErrorBox error={cancel.error} title="Not stopped" />}
      {j.status === "failed" && <ErrorBox error={j.error ?? "the run failed"} title="Training failed" />}
      {j.status === "cancelled" && <p className="muted">Stopped: no model version was registered.</p>}
      {j.status === "succeeded" && versionId !== null && (
        <p className="upload-result" data-testid="run-result">
          Registered as a candidate model version, <strong>{String(params.model_version ?? versionId)}</strong>. Its
          comparison with the shipped model is below; nothing changes for predictions until you promote it.
        </p>
      )}
    </article>
  );
}
