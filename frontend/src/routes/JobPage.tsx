/** One batch job: live progress from the SSE stream, errors, downloads, cancel/retry. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "react-router-dom";
import { api, jobResultsUrl, unwrap } from "../client/api";
import { DownloadLink } from "../components/common/DownloadLink";
import { ErrorBox, Loading } from "../components/common/Status";
import { isActive, JobProgress } from "../components/jobs/JobProgress";
import { getJob, useJobEvents } from "../components/jobs/followJob";

export function JobPage() {
  const jobId = Number(useParams().id);
  const queryClient = useQueryClient();
  const job = useQuery({
    queryKey: ["job", jobId],
    queryFn: () => getJob(jobId),
    refetchInterval: (q) => (q.state.data && isActive(q.state.data) ? 5000 : false),
  });
  const active = job.data ? isActive(job.data) : false;
  const live = useJobEvents(jobId, active);
  const errors = useQuery({
    queryKey: ["job-errors", jobId, job.data?.error_count],
    queryFn: () =>
      unwrap(api.GET("/api/v1/jobs/{job_id}/errors", { params: { path: { job_id: jobId } } })),
    enabled: (job.data?.error_count ?? 0) > 0,
  });
  const action = useMutation({
    mutationFn: (what: "cancel" | "retry") =>
      unwrap(
        what === "cancel"
          ? api.POST("/api/v1/jobs/{job_id}/cancel", { params: { path: { job_id: jobId } } })
          : api.POST("/api/v1/jobs/{job_id}/retry", { params: { path: { job_id: jobId } } }),
      ),
    onSuccess: (j) => queryClient.setQueryData(["job", jobId], j),
  });

  if (job.isPending) return <Loading />;
  if (job.isError) return <ErrorBox error={job.error} title="Could not load job" />;
  const j = job.data;
  return (
    <div className="page narrow">
      <p>
        <Link to="/jobs">← All jobs</Link>
      </p>
      <h1>
        Batch job #{j.id} <span className={`status-pill ${j.status}`} data-testid="job-status">{j.status}</span>
      </h1>
      <p className="muted">
        {String((j.params as { filename?: string }).filename ?? j.kind)} · submitted{" "}
        {new Date(j.created_at).toLocaleString()}
        {active && (live ? " · live" : " · connecting…")}
      </p>
      <JobProgress job={j} />
      {j.error && <ErrorBox error={j.error} title="Job failed" />}
      <div className="button-row">
        {j.results_available && (
          <>
            <DownloadLink
              className="button primary"
              url={jobResultsUrl(j.id, "csv")}
              filename={`job-${j.id}-results.csv`}
              data-testid="download-csv"
            >
              Download results (CSV)
            </DownloadLink>
            <DownloadLink url={jobResultsUrl(j.id, "parquet")} filename={`job-${j.id}-results.parquet`}>
              Parquet
            </DownloadLink>
          </>
        )}
        {active && (
          <button type="button" onClick={() => action.mutate("cancel")} disabled={action.isPending}>
            Cancel
          </button>
        )}
        {(j.status === "failed" || j.status === "cancelled" || j.chunks_failed > 0) && (
          <button type="button" onClick={() => action.mutate("retry")} disabled={action.isPending}>
            Retry
          </button>
        )}
      </div>
      {action.isError && <ErrorBox error={action.error} />}
      {j.error_count > 0 && (
        <section className="panel">
          <h2>Rows that failed ({j.error_count})</h2>
          {errors.isPending && <Loading />}
          {errors.data && (
            <div className="table-wrap">
              <table className="data small" data-testid="job-errors">
                <thead>
                  <tr>
                    <th scope="col" title="row_index of the results CSV: 0 is the first data row after the header">
                      Row (row_index)
                    </th>
                    <th scope="col">Input</th>
                    <th scope="col">Error</th>
                  </tr>
                </thead>
                <tbody>
                  {errors.data.items.map((e) => (
                    <tr key={e.row}>
                      <td className="num">{e.row}</td>
                      <td>{e.input}</td>
                      <td>{e.error}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </div>
  );
}
