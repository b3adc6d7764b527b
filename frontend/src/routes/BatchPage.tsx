/** Batch screening: submit a CSV/TSV/Parquet of formulas (or a zip of structures); jobs list. */
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { api, formData, unwrap } from "../client/api";
import { ALL_PROPERTIES, propertyLabel } from "../client/properties";
import { ErrorBox, Loading } from "../components/common/Status";
import { isActive, JobProgress } from "../components/jobs/JobProgress";

export function BatchPage() {
  const navigate = useNavigate();
  const [file, setFile] = useState<File | null>(null);
  const [props, setProps] = useState<string[]>([...ALL_PROPERTIES]);
  const [store, setStore] = useState(false);
  const [status, setStatus] = useState("");

  const submit = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/jobs/batch-predictions", {
          body: {} as never,
          bodySerializer: () =>
            formData([
              ["file", file!, file!.name],
              ["properties", props.join(",")],
              ["store", String(store)],
            ]),
        }),
      ),
    onSuccess: (job) => navigate(`/jobs/${job.id}`),
  });

  const jobs = useQuery({
    queryKey: ["jobs", status],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/jobs", {
          params: { query: status ? { status: status as "running" } : {} },
        }),
      ),
    refetchInterval: (q) => (q.state.data?.items.some(isActive) ? 2000 : false),
  });

  return (
    <div className="page">
      <h1>Batch jobs</h1>
      <section className="panel">
        <h2>Screen a list</h2>
        <p className="muted">
          A CSV, TSV or Parquet file with a <code>formula</code> column (other columns are kept),
          or a .zip of structure files. Results can be downloaded as CSV or Parquet.
        </p>
        <form
          className="batch-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (file) submit.mutate();
          }}
        >
          <label>
            Input file
            <input
              type="file"
              accept=".csv,.tsv,.txt,.parquet,.zip"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              data-testid="batch-file"
              required
            />
          </label>
          <fieldset>
            <legend>Properties</legend>
            {ALL_PROPERTIES.map((p) => (
              <label key={p} className="checkbox">
                <input
                  type="checkbox"
                  checked={props.includes(p)}
                  onChange={(e) =>
                    setProps(e.target.checked ? [...props, p] : props.filter((x) => x !== p))
                  }
                />
                {propertyLabel(p)}
              </label>
            ))}
          </fieldset>
          <label className="checkbox">
            <input type="checkbox" checked={store} onChange={(e) => setStore(e.target.checked)} />
            Also store each row as a searchable material
          </label>
          <button type="submit" className="primary" disabled={!file || props.length === 0 || submit.isPending}>
            {submit.isPending ? "Submitting…" : "Submit job"}
          </button>
        </form>
        {submit.isError && <ErrorBox error={submit.error} title="Could not submit" />}
      </section>

      <section className="panel">
        <div className="panel-head">
          <h2>Jobs</h2>
          <label className="inline">
            Status
            <select value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="">all</option>
              {["queued", "running", "succeeded", "failed", "cancelled"].map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
        </div>
        {jobs.isPending && <Loading />}
        {jobs.isError && <ErrorBox error={jobs.error} />}
        {jobs.data && jobs.data.items.length === 0 && <p className="muted">No jobs yet.</p>}
        {jobs.data && jobs.data.items.length > 0 && (
          <div className="table-wrap">
            <table className="data" data-testid="jobs-table">
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col">Input</th>
                  <th scope="col">Status</th>
                  <th scope="col">Progress</th>
                  <th scope="col">Submitted</th>
                </tr>
              </thead>
              <tbody>
                {jobs.data.items.map((j) => (
                  <tr key={j.id}>
                    <td>
                      <Link to={`/jobs/${j.id}`}>#{j.id}</Link>
                    </td>
                    <td>{String((j.params as { filename?: string }).filename ?? j.kind)}</td>
                    <td>
                      <span className={`status-pill ${j.status}`}>{j.status}</span>
                    </td>
                    <td className="progress-cell">
                      <JobProgress job={j} />
                    </td>
                    <td>{new Date(j.created_at).toLocaleString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
