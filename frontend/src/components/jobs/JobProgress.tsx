/** Progress bar and counters of a batch job. */
import type { Job } from "../../client/api";

const ACTIVE = new Set(["queued", "running", "cancelling"]);
export const isActive = (j: Job) => ACTIVE.has(j.status);

function eta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "";
  if (seconds < 60) return `${Math.round(seconds)} s left`;
  return `${Math.round(seconds / 60)} min left`;
}

export function JobProgress({ job }: { job: Job }) {
  const pct = Math.round((job.progress ?? 0) * 100);
  return (
    <div className="job-progress">
      <div
        className={`progress-track ${job.status}`}
        role="progressbar"
        aria-label={`Job ${job.id} progress`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        data-testid="job-progress"
      >
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      <p className="small">
        <strong data-testid="job-percent">{pct}%</strong> · {job.processed.toLocaleString()} of{" "}
        {job.total.toLocaleString()} rows
        {job.error_count > 0 && ` · ${job.error_count} error${job.error_count === 1 ? "" : "s"}`}
        {job.rows_per_second ? ` · ${job.rows_per_second.toFixed(1)} rows/s` : ""}
        {isActive(job) && eta(job.eta_seconds) ? ` · ${eta(job.eta_seconds)}` : ""}
      </p>
    </div>
  );
}
