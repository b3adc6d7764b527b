/**
 * The organisation's model versions per property: what its predictions use now (with
 * Roll back when that is a version of its own), and every version with its status,
 * held-out and shipped-test MAE next to the shipped model's, and a link to review it.
 */
import { useState } from "react";
import { Link } from "react-router-dom";
import { labelWithUnit } from "../../client/properties";
import { modelLabel, modelTitle } from "../../format/modelLabel";
import { formatNumber } from "../../format/number";
import { TableScroll } from "../common/TableScroll";
import { readComparison, versionName, type PropertyModels } from "./comparison";
import type { ModelVersion } from "./modelsApi";
import { ChangeNotice, RollbackButton, type ModelChange } from "./VersionActions";

function maeChange(v: ModelVersion, key: string, unit: string) {
  const part = readComparison(v.metrics).find((p) => p.key === key);
  if (!part || part.shipped.mae === null || part.candidate.mae === null) return <>—</>;
  return (
    <span className={part.worse ? "worse" : "better"}>
      {formatNumber(part.shipped.mae)} → {formatNumber(part.candidate.mae)}
      {unit ? ` ${unit}` : ""}
      <span className="sr-only">{part.worse ? " (worse)" : " (better)"}</span>
    </span>
  );
}

function PropertyVersions({
  group,
  selected,
  canWrite,
}: {
  group: PropertyModels;
  selected: number | null;
  canWrite: boolean;
}) {
  const [change, setChange] = useState<ModelChange | null>(null);
  const active = group.yours.find((v) => v.status === "active") ?? null;
  const rows = group.shipped ? [...group.yours, group.shipped] : group.yours;
  return (
    <section className="property-versions" data-testid="property-versions" data-property={group.property}>
      <h3>{labelWithUnit(group.property)}</h3>
      <p className="in-use-line">
        Predictions use{" "}
        <strong data-testid="in-use" title={group.inUse ? modelTitle(group.inUse.name, group.inUse.version) : undefined}>
          {group.inUse ? modelLabel(group.inUse.name, group.inUse.version) : "the shipped model"}
        </strong>
        {group.inUse?.source === "shipped" && " (shipped)"}
      </p>
      {change && <ChangeNotice change={change} />}
      {active && <RollbackButton property={group.property} active={active} canWrite={canWrite} onDone={setChange} />}
      <TableScroll label={`Model versions: ${labelWithUnit(group.property)}`}>
        <table className="data versions-table">
          <caption className="sr-only">Model versions of {labelWithUnit(group.property)}</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Status</th>
              <th scope="col">Trained</th>
              <th scope="col">Held-out MAE, shipped → fine-tuned</th>
              <th scope="col">Shipped test MAE, shipped → fine-tuned</th>
              <th scope="col">
                <span className="sr-only">Review</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((v) => (
              <tr
                key={v.id ?? `shipped-${v.name}`}
                data-testid="version-row"
                data-version-id={v.id ?? ""}
                data-status={v.status}
                className={v.id !== null && v.id === selected ? "selected" : undefined}
              >
                <td title={modelTitle(v.name, v.version)}>{versionName(v)}</td>
                <td>
                  <span className={`status-pill ${v.status}`}>{v.status}</span>
                  {v.in_use && <span className="status-pill in-use">in use</span>}
                </td>
                <td>{v.created_at ? new Date(v.created_at).toLocaleDateString() : "—"}</td>
                <td className="num">{v.source === "organization" ? maeChange(v, "holdout", group.unit) : "—"}</td>
                <td className="num">{v.source === "organization" ? maeChange(v, "shipped_test", group.unit) : "—"}</td>
                <td>
                  {v.id != null && (
                    <Link to={`/models?version=${v.id}`} aria-label={`Review ${versionName(v)}`}>
                      Review
                    </Link>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </section>
  );
}

export function YourModels({
  groups,
  selected,
  canWrite,
}: {
  groups: PropertyModels[];
  selected: number | null;
  canWrite: boolean;
}) {
  const withVersions = groups.filter((g) => g.yours.length > 0);
  const others = groups.filter((g) => g.yours.length === 0);
  return (
    <div className="your-models">
      {withVersions.length === 0 && (
        <p className="empty" data-testid="no-versions">
          No fine-tuned models yet: every prediction uses the shipped models. Fine-tune one on a project’s measurements
          below.
        </p>
      )}
      {withVersions.map((g) => (
        <PropertyVersions key={g.property} group={g} selected={selected} canWrite={canWrite} />
      ))}
      {withVersions.length > 0 && others.length > 0 && (
        <p className="muted small">
          {others.map((g) => labelWithUnit(g.property)).join(", ")}: the shipped models (no versions of yours yet).
        </p>
      )}
    </div>
  );
}
