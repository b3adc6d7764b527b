/**
 * The project table: one row per tracked material or compound with, for one property,
 * the predicted value ± σ (and the recalibrated value when one is enabled), the measured
 * value ± uncertainty and the known compound's reference value side by side; status,
 * tags and notes are edited in place. Click a column header to sort (again to reverse).
 */
import { useMutation } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { Link } from "react-router-dom";
import { PROPERTY_UNITS, propertyLabel } from "../../client/properties";
import { columnFormatter, formatWithSigma } from "../../format/number";
import { modelLabel, modelTitle } from "../../format/modelLabel";
import { Formula } from "../common/Formula";
import { ItemNotes } from "./ItemNotes";
import { STATUSES, updateItem, type ItemStatus, type ProjectItem } from "./projectApi";
import { TableScroll } from "../common/TableScroll";

export type SortKey = "added" | "formula" | "status" | "predicted" | "measured" | "reference";

/** The value a row sorts by (null: sorts last in either direction). */
function sortValue(item: ProjectItem, key: SortKey, property: string): number | string | null {
  switch (key) {
    case "added":
      return item.id;
    case "formula":
      return item.reduced_formula;
    case "status":
      return STATUSES.indexOf(item.status);
    case "predicted":
      return item.predicted[property]?.value ?? null;
    case "measured":
      return item.measured[property]?.[0]?.value ?? null;
    case "reference":
      return item.reference[property] ?? null;
  }
}

export function sortItems(
  items: ProjectItem[],
  key: SortKey,
  order: "asc" | "desc",
  property: string,
): ProjectItem[] {
  const sign = order === "asc" ? 1 : -1;
  return [...items].sort((a, b) => {
    const va = sortValue(a, key, property);
    const vb = sortValue(b, key, property);
    if (va === null || vb === null) return va === vb ? a.id - b.id : va === null ? 1 : -1;
    const c = typeof va === "string" ? va.localeCompare(String(vb)) : va - (vb as number);
    return c === 0 ? a.id - b.id : sign * c;
  });
}

/** Tags typed as "a, b c" → ["a", "b c"]. */
export const parseTags = (text: string) =>
  text
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);

interface Props {
  projectId: number;
  items: ProjectItem[];
  property: string;
  /** Called after a change was saved (refetch the table). */
  onChanged: () => void;
}

export function ItemTable({ projectId, items, property, onChanged }: Props) {
  const [sort, setSort] = useState<{ key: SortKey; order: "asc" | "desc" }>({ key: "added", order: "asc" });
  const rows = useMemo(() => sortItems(items, sort.key, sort.order, property), [items, sort, property]);
  const unit = PROPERTY_UNITS[property] ?? "";
  const fmtRef = columnFormatter(items.map((i) => i.reference[property]));
  const header = (key: SortKey, label: string, num = false) => {
    const active = sort.key === key;
    return (
      <th
        scope="col"
        className={num ? "num" : undefined}
        aria-sort={active ? (sort.order === "asc" ? "ascending" : "descending") : undefined}
      >
        <button
          type="button"
          className="sort"
          onClick={() =>
            setSort({ key, order: active && sort.order === "asc" ? "desc" : "asc" })
          }
        >
          {label}
          {active ? (sort.order === "asc" ? " ▲" : " ▼") : ""}
        </button>
      </th>
    );
  };
  const label = propertyLabel(property);
  return (
    <TableScroll label="Project items">
      <table className="data project-items" data-testid="project-items">
        <thead>
          <tr>
            {header("formula", "Material")}
            {header("status", "Status")}
            <th scope="col">Tags</th>
            {header("predicted", `Predicted ${label} (${unit})`, true)}
            {header("measured", `Measured (${unit})`, true)}
            {header("reference", `Reference (${unit})`, true)}
            <th scope="col">Notes</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((item) => (
            <ItemRow
              key={item.id}
              projectId={projectId}
              item={item}
              property={property}
              reference={fmtRef(item.reference[property])}
              onChanged={onChanged}
            />
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}

function ItemRow({
  projectId,
  item,
  property,
  reference,
  onChanged,
}: {
  projectId: number;
  item: ProjectItem;
  property: string;
  reference: string;
  onChanged: () => void;
}) {
  const [tags, setTags] = useState(item.tags.join(", "));
  const save = useMutation({
    mutationFn: (body: { status?: ItemStatus; tags?: string[] }) => updateItem(projectId, item.id, body),
    onSuccess: onChanged,
  });
  const predicted = item.predicted[property];
  const measured = item.measured[property] ?? [];
  const saveTags = () => {
    const next = parseTags(tags);
    if (next.join("\u0000") !== item.tags.join("\u0000")) save.mutate({ tags: next });
  };
  return (
    <tr data-testid="project-item" data-item={item.id} data-formula={item.reduced_formula}>
      <td>
        {item.material_id !== null ? (
          <Link to={`/materials/${item.material_id}`}>
            <Formula formula={item.reduced_formula} /> <span className="muted small">#{item.material_id}</span>
          </Link>
        ) : (
          <Link to={`/compounds/${encodeURIComponent(item.reduced_formula)}`}>
            <Formula formula={item.reduced_formula} /> <span className="muted small">known compound</span>
          </Link>
        )}
      </td>
      <td>
        <select
          aria-label={`Status of ${item.reduced_formula}`}
          value={item.status}
          disabled={save.isPending}
          onChange={(e) => save.mutate({ status: e.target.value as ItemStatus })}
          className={`status-select ${item.status}`}
        >
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        {save.isError && (
          <span className="error small" role="alert">
            {" "}
            {save.error.message}
          </span>
        )}
      </td>
      <td>
        <input
          className="tags-input"
          aria-label={`Tags of ${item.reduced_formula} (comma-separated)`}
          value={tags}
          placeholder="tags"
          onChange={(e) => setTags(e.target.value)}
          onBlur={saveTags}
          onKeyDown={(e) => {
            if (e.key === "Enter") saveTags();
          }}
        />
      </td>
      <td className="num" data-testid="predicted">
        {predicted ? (
          <>
            <span title={modelTitle(predicted.model_name, predicted.model_version)}>
              {formatWithSigma(predicted.value, predicted.std)}
            </span>
            <span className="muted small block">{modelLabel(predicted.model_name, predicted.model_version)}</span>
            {predicted.recalibrated && (
              <span className="recalibrated small block" title={predicted.recalibrated.label}>
                {formatWithSigma(predicted.recalibrated.value, predicted.recalibrated.std)} (
                {predicted.recalibrated.label})
              </span>
            )}
          </>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td className="num" data-testid="measured">
        {measured.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          measured.map((m) => (
            <span key={m.measurement_id} className="block" title={m.method ?? undefined}>
              {formatWithSigma(m.value, m.uncertainty)}
              {m.sample_id && <span className="muted small"> {m.sample_id}</span>}
            </span>
          ))
        )}
      </td>
      <td className="num" data-testid="reference">
        {reference}
      </td>
      <td className="notes-cell">
        <ItemNotes
          projectId={projectId}
          itemId={item.id}
          formula={item.reduced_formula}
          notes={item.notes}
          onAdded={onChanged}
        />
      </td>
    </tr>
  );
}
