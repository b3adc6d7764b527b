/** One batch job: live progress from the SSE stream, errors, downloads, cancel/retry. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { API_BASE, api, jobResultsUrl, unwrap, type Job } from "../client/api";
import { readEventStream } from "../client/sse";
import { DownloadLink } from "../components/common/DownloadLink";
import { ErrorBox, Loading } from "../components/common/Status";
import { isActive, JobProgress } from "../components/jobs/JobProgress";

/** Wait before reconnecting a dropped event stream (EventSource's default is similar). */
const RECONNECT_MS = 3000;

/**
 * Subscribe to `GET /jobs/{id}/events` (a fetch-based reader: it sends the
 * `Authorization` header that EventSource cannot); writes each progress event into the
 * query cache, reconnects after a dropped connection and stops on `end` or unmount.
 */
export function useJobEvents(jobId: number, enabled: boolean) {
  const queryClient = useQueryClient();
  const [live, setLive] = useState(false);
  useEffect(() => {
    if (!enabled) return;
    const abort = new AbortController();
    let ended = false;
    const run = async () => {
      while (!ended && !abort.signal.aborted) {
        try {
          await readEventStream(`${API_BASE}/jobs/${jobId}/events`, {
            signal: abort.signal,
            onOpen: () => setLive(true),
            onEvent: ({ event, data }) => {
              if (event === "progress") {
                queryClient.setQueryData(["job", jobId], JSON.parse(data) as Job);
              } else if (event === "end") {
                ended = true;
                void queryClient.invalidateQueries({ queryKey: ["job", jobId] });
                void queryClient.invalidateQueries({ queryKey: ["job-errors", jobId] });
              }
            },
          });
        } catch (e) {
          if (abort.signal.aborted) return;
          const status = (e as { status?: number }).status;
          // the job is gone or the session ended: polling (or the login page) takes over
          if (status && status >= 400 && status < 500 && status !== 429) ended = true;
        }
        setLive(false);
        if (!ended) await new Promise((r) => setTimeout(r, RECONNECT_MS));
      }
    };
    void run();
    return () => {
      abort.abort();
      setLive(false);
    };
  }, [jobId, enabled, queryClient]);
  return live;
}

export function JobPage() {
  const jobId = Number(useParams().id);
  const queryClient = useQueryClient();
  const job = useQuery({
    queryKey: ["job", jobId],
    queryFn: () => unwrap(api.GET("/api/v1/jobs/{job_id}", { params: { path: { job_id: jobId } } })),
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
