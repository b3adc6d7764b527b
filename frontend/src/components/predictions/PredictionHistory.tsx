/** Every stored prediction of a material, newest first. */
import type { Prediction } from "../../client/api";
import { fmt, propertyLabel } from "../../client/properties";

export function PredictionHistory({ history }: { history: Prediction[] }) {
  if (history.length === 0) return <p className="muted">No earlier predictions.</p>;
  return (
    <div className="table-wrap">
      <table className="data small">
        <caption className="sr-only">Prediction history</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Property</th>
            <th scope="col">Value</th>
            <th scope="col">σ</th>
            <th scope="col">Unit</th>
            <th scope="col">Model</th>
          </tr>
        </thead>
        <tbody>
          {history.map((p, i) => (
            <tr key={p.id ?? i}>
              <td>{p.created_at ? new Date(p.created_at).toLocaleString() : "—"}</td>
              <td>{propertyLabel(p.property)}</td>
              <td className="num">{fmt(p.value)}</td>
              <td className="num">{fmt(p.std)}</td>
              <td>{p.unit}</td>
              <td>
                {p.model_name} v{p.model_version}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
