/** Every stored prediction of a material, newest first. */
import type { Prediction } from "../../client/api";
import { propertyLabel } from "../../client/properties";
import { formatMeasured } from "../../format/number";
import { modelLabel, modelTitle } from "../../format/modelLabel";
import { TableScroll } from "../common/TableScroll";

export function PredictionHistory({ history }: { history: Prediction[] }) {
  if (history.length === 0) return <p className="muted">No earlier predictions.</p>;
  return (
    <TableScroll label="Prediction history">
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
              <td className="num">{formatMeasured(p.value, p.std).value}</td>
              <td className="num">{formatMeasured(p.value, p.std).sigma ?? "—"}</td>
              <td>{p.unit}</td>
              <td title={modelTitle(p.model_name, p.model_version)}>
                {modelLabel(p.model_name, p.model_version)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
