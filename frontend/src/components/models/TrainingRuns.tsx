/** The organisation's recent training runs: property, rows, epochs, status and outcome. */
import { Link } from "react-router-dom";
import type { Job } from "../../client/api";
import { propertyLabel } from "../../client/properties";
import { TableScroll } from "../common/TableScroll";
import { runStage } from "./comparison";

const obj = (x: unknown): Record<string, unknown> =>
  x && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : {};

function outcome(j: Job) {
  const p = obj(j.params);
  if (typeof p.model_version_id === "number") {
    return <Link to={`/models?version=${p.model_version_id}`}>{String(p.model_version ?? `version ${p.model_version_id}`)}</Link>;
  }
  if (j.status === "failed") return <span className="error">{j.error ?? "failed"}</span>;
  return <span className="muted">{runStage(j.status, j.processed, j.total)}</span>;
}

export function TrainingRuns({ runs, current }: { runs: Job[]; current: number | null }) {
  if (runs.length === 0) return <p className="empty">No training runs yet.</p>;
  return (
    <TableScroll label="Training runs">
      <table className="data runs-table" data-testid="training-runs">
        <caption className="sr-only">Training runs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Run</th>
            <th scope="col">Property</th>
            <th scope="col" className="num">
              Rows
            </th>
            <th scope="col" className="num">
              Epochs
            </th>
            <th scope="col">Status</th>
            <th scope="col">Started</th>
            <th scope="col">Model version</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((j) => {
            const p = obj(j.params);
            return (
              <tr key={j.id} className={j.id === current ? "selected" : undefined} data-testid="run-row">
                <td>
                  <Link to={`/models?job=${j.id}`}>#{j.id}</Link>
                </td>
                <td>{propertyLabel(String(p.property ?? "?"))}</td>
                <td className="num">{String(p.rows ?? "—")}</td>
                <td className="num">{String(obj(p.options).epochs ?? Math.max(j.total - 1, 0))}</td>
                <td>
                  <span className={`status-pill ${j.status}`}>{j.status}</span>
                </td>
                <td>{new Date(j.created_at).toLocaleString()}</td>
                <td className="wrap">{outcome(j)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableScroll>
  );
}
