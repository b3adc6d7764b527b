/**
 * Recalibration of a property's predictions on the project's own measurements: fit a new
 * version, turn it on or off (one version per property is on). Predictions keep both
 * values; the table and the parity plot show the recalibrated ones beside the raw ones,
 * labelled "recalibrated on N measurements".
 */
import { useMutation } from "@tanstack/react-query";
import { propertyLabel } from "../../client/properties";
import { formatNumber } from "../../format/number";
import { modelLabel, modelTitle } from "../../format/modelLabel";
import { ErrorBox } from "../common/Status";
import { fitRecalibration, setRecalibrationEnabled, type Recalibration } from "./projectApi";
import { TableScroll } from "../common/TableScroll";

export function RecalibrationPanel({
  projectId,
  property,
  recalibrations,
  onChanged,
}: {
  projectId: number;
  property: string;
  recalibrations: Recalibration[];
  onChanged: () => void;
}) {
  const fit = useMutation({ mutationFn: () => fitRecalibration(projectId, property), onSuccess: onChanged });
  const toggle = useMutation({
    mutationFn: ({ id, enabled }: { id: number; enabled: boolean }) =>
      setRecalibrationEnabled(projectId, id, enabled),
    onSuccess: onChanged,
  });
  const rows = recalibrations.filter((r) => r.property === property);
  return (
    <div className="recalibrations">
      <p className="muted small">
        A correction of the {propertyLabel(property).toLowerCase()} predictions learned from this
        project&apos;s measurements. It applies only while it is on; the raw predictions are kept.
      </p>
      <button type="button" onClick={() => fit.mutate()} disabled={fit.isPending}>
        {fit.isPending ? "Fitting…" : `Fit a recalibration of ${propertyLabel(property).toLowerCase()}`}
      </button>
      {fit.isError && <ErrorBox error={fit.error} />}
      {toggle.isError && <ErrorBox error={toggle.error} />}
      {rows.length > 0 && (
        <TableScroll label="Recalibrations">
          <table className="data" data-testid="recalibrations">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Model</th>
                <th scope="col">Kind</th>
                <th scope="col">Fitted on</th>
                <th scope="col" className="num">CV MAE raw → recalibrated</th>
                <th scope="col">On</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-testid="recalibration" data-enabled={r.enabled}>
                  <td>v{r.version}</td>
                  <td title={modelTitle(r.model_name)}>{modelLabel(r.model_name)}</td>
                  <td>{r.kind}</td>
                  <td>{r.label}</td>
                  <td className="num">
                    {r.cv_mae_raw !== null && r.cv_mae !== null
                      ? `${formatNumber(r.cv_mae_raw)} → ${formatNumber(r.cv_mae)}`
                      : "—"}
                  </td>
                  <td>
                    <label className="checkbox">
                      <input
                        type="checkbox"
                        checked={r.enabled}
                        disabled={toggle.isPending}
                        onChange={(e) => toggle.mutate({ id: r.id, enabled: e.target.checked })}
                      />
                      <span className="sr-only">Use recalibration v{r.version}</span>
                      {r.enabled ? "on" : "off"}
                    </label>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </div>
  );
}
