/**
 * Upload a molecule file as a batch job (`POST /molecules/batch`) and follow it: live
 * progress from the job's SSE stream (polling as a fallback), processed/total, rate, ETA
 * and errors, and the rows that failed once it has finished. The job id is kept in the
 * page's URL (`?job=`), so a reload keeps following it.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRef } from "react";
import { Link } from "react-router-dom";
import type { Job } from "../../client/api";
import { TableScroll } from "../common/TableScroll";
import { ErrorBox } from "../common/Status";
import { useFollowedJob } from "../jobs/followJob";
import { JobProgress } from "../jobs/JobProgress";
import { getJobErrors, submitBatch } from "./moleculeApi";
import { BATCH_EXTENSIONS } from "./moleculeFormat";

export function MoleculeBatch({
  jobId,
  onJob,
  onFinished,
}: {
  jobId: number | null;
  onJob: (id: number) => void;
  /** Called once when the followed job stops running (the table should reload). */
  onFinished: () => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const submit = useMutation({
    mutationFn: submitBatch,
    onSuccess: (job) => onJob(job.id),
  });
  return (
    <>
      <div className="molecule-upload">
        <label>
          <span>
            Molecule file (CSV/TSV with a <code>smiles</code> column, SDF or SMILES list; ≤ 10 MB)
          </span>
          <input
            ref={input}
            type="file"
            accept={BATCH_EXTENSIONS.join(",")}
            data-testid="molecule-file"
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              if (file) submit.mutate(file);
            }}
          />
        </label>
        <p className="muted small">
          Optional columns: <code>name</code>, <code>standard_value</code>, <code>standard_units</code>,{" "}
          <code>standard_type</code>, <code>target_chembl_id</code> (or <code>pchembl_value</code>). Each molecule is
          standardised, screened for PAINS/Brenk/NIH alerts and scored.
        </p>
      </div>
      {submit.isPending && <p className="muted">Uploading…</p>}
      {submit.isError && <ErrorBox error={submit.error} title="Upload failed" />}
      {jobId !== null && <BatchProgress key={jobId} jobId={jobId} onFinished={onFinished} />}
    </>
  );
}

function BatchProgress({ jobId, onFinished }: { jobId: number; onFinished: () => void }) {
  const { job, active } = useFollowedJob(jobId, 2000, onFinished);
  const errors = useQuery({
    queryKey: ["job-errors", jobId, job.data?.error_count],
    queryFn: () => getJobErrors(jobId),
    enabled: !active && (job.data?.error_count ?? 0) > 0,
  });

  if (job.isError) return <ErrorBox error={job.error} title="Could not load the job" />;
  if (!job.data) return <p className="muted">Job #{jobId} submitted…</p>;
  const j: Job = job.data;
  const filename = String((j.params as { filename?: string }).filename ?? "molecules");
  return (
    <div className="batch-progress" data-testid="batch-progress" data-status={j.status}>
      <p>
        <Link to={`/jobs/${j.id}`}>Job #{j.id}</Link> · {filename}{" "}
        <span className={`status-pill ${j.status}`} data-testid="batch-status">
          {j.status}
        </span>
      </p>
      <JobProgress job={j} />
      {!active && (
        <p className="small" data-testid="batch-summary">
          {(j.processed - j.error_count).toLocaleString()} of {j.total.toLocaleString()} rows stored
          {j.error_count > 0 ? `, ${j.error_count} with errors (below)` : ""}.
        </p>
      )}
      {j.error && <ErrorBox error={j.error} title="Job failed" />}
      {errors.data && errors.data.items.length > 0 && (
        <TableScroll label="Rows with errors">
          <table className="data small" data-testid="batch-errors">
            <caption className="sr-only">Rows with errors</caption>
            <thead>
              <tr>
                <th scope="col" className="num">
                  Row
                </th>
                <th scope="col">Input</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {errors.data.items.map((e) => (
                <tr key={e.row}>
                  <td className="num">{e.row}</td>
                  <td className="smiles-cell">{e.input}</td>
                  <td className="wrap">{e.error}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </div>
  );
}
