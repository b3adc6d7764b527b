/**
 * The explorer's "Your materials" view: the caller's materials (no reference rows) in a
 * sortable table with a columns chooser and cursor pagination.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { api, unwrap, type MaterialHit } from "../../client/api";
import { ALL_PROPERTIES, PROPERTY_UNITS, fmt, propertyLabel } from "../../client/properties";
import { ErrorBox, Loading } from "../common/Status";
import { Pager, SortHeader } from "./ResultTable";
import type { materialQuery } from "./explorerQuery";

type SortField =
  | "id"
  | "created_at"
  | "formula"
  | "reduced_formula"
  | "nsites"
  | "nelements"
  | "space_group_number"
  | "volume"
  | "density"
  | (typeof ALL_PROPERTIES)[number];

/** A property value of a search hit: a number, or an object with a `value`. */
function propertyValue(m: MaterialHit, p: string): number | null {
  const v = (m.properties as Record<string, unknown> | undefined)?.[p];
  if (typeof v === "number") return v;
  if (v && typeof v === "object" && typeof (v as { value?: unknown }).value === "number") {
    return (v as { value: number }).value;
  }
  return null;
}

interface Column {
  key: string;
  label: string;
  sort?: SortField;
  render: (m: MaterialHit) => React.ReactNode;
  numeric?: boolean;
}

const COLUMNS: Column[] = [
  { key: "id", label: "ID", sort: "id", render: (m) => m.id, numeric: true },
  {
    key: "reduced_formula",
    label: "Formula",
    sort: "reduced_formula",
    render: (m) => <Link to={`/materials/${m.id}`}>{m.reduced_formula}</Link>,
  },
  { key: "formula", label: "Cell formula", sort: "formula", render: (m) => m.formula },
  { key: "chemical_system", label: "Chemical system", render: (m) => m.chemical_system },
  {
    key: "space_group",
    label: "Space group",
    sort: "space_group_number",
    render: (m) => (m.space_group_symbol ? `${m.space_group_symbol} (${m.space_group_number})` : "—"),
  },
  { key: "crystal_system", label: "Crystal system", render: (m) => m.crystal_system ?? "—" },
  { key: "nsites", label: "Sites", sort: "nsites", render: (m) => m.nsites ?? "—", numeric: true },
  { key: "nelements", label: "Elements", sort: "nelements", render: (m) => m.nelements, numeric: true },
  { key: "volume", label: "Volume (Å³)", sort: "volume", render: (m) => fmt(m.volume, 4), numeric: true },
  { key: "density", label: "Density (g/cm³)", sort: "density", render: (m) => fmt(m.density), numeric: true },
  { key: "source", label: "Source", render: (m) => m.source },
  { key: "created_at", label: "Added", sort: "created_at", render: (m) => new Date(m.created_at).toLocaleDateString() },
  ...ALL_PROPERTIES.map(
    (p): Column => ({
      key: p,
      label: `${propertyLabel(p)} (${PROPERTY_UNITS[p]})`,
      sort: p,
      render: (m) => fmt(propertyValue(m, p)),
      numeric: true,
    }),
  ),
];
// identity columns and the first two catalogued properties (formation energy, band gap)
const DEFAULT_COLUMNS = [
  "id",
  "reduced_formula",
  "space_group",
  "crystal_system",
  "nsites",
  "source",
  ...ALL_PROPERTIES.slice(0, 2),
];
const COLUMNS_KEY = "matdiscover.explorer.columns";

function loadColumns(): string[] {
  try {
    const v = JSON.parse(localStorage.getItem(COLUMNS_KEY) ?? "null") as unknown;
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
  } catch {
    /* ignore */
  }
  return DEFAULT_COLUMNS;
}

interface Props {
  query: ReturnType<typeof materialQuery>;
  sort: string;
  order: "asc" | "desc";
  limit: number;
  onSort: (field: string) => void;
  onLimit: (limit: number) => void;
}

/** Remount it (`key`) when the filters change: the page cursor starts over. */
export function MaterialResults({ query, sort, order, limit, onSort, onLimit }: Props) {
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const [columns, setColumns] = useState<string[]>(loadColumns);
  useEffect(() => localStorage.setItem(COLUMNS_KEY, JSON.stringify(columns)), [columns]);
  const full = {
    ...query,
    sort: sort as SortField,
    order,
    limit,
    cursor: cursors[cursors.length - 1] ?? undefined,
  };
  const results = useQuery({
    queryKey: ["materials", full],
    queryFn: () => unwrap(api.GET("/api/v1/materials", { params: { query: full } })),
    placeholderData: keepPreviousData,
  });
  const visible = COLUMNS.filter((c) => columns.includes(c.key));

  return (
    <>
      <div className="filters">
        <details className="columns-chooser">
          <summary>Columns</summary>
          <fieldset>
            <legend className="sr-only">Visible columns</legend>
            {COLUMNS.map((c) => (
              <label key={c.key} className="checkbox">
                <input
                  type="checkbox"
                  checked={columns.includes(c.key)}
                  onChange={(e) =>
                    setColumns(
                      e.target.checked
                        ? COLUMNS.filter((x) => x.key === c.key || columns.includes(x.key)).map((x) => x.key)
                        : columns.filter((k) => k !== c.key),
                    )
                  }
                />
                {c.label}
              </label>
            ))}
          </fieldset>
        </details>
      </div>
      {results.isError && <ErrorBox error={results.error} />}
      {results.isPending && <Loading />}
      {results.data && (
        <>
          <p className="muted" aria-live="polite" data-testid="result-count">
            {results.data.total.toLocaleString()} of your material{results.data.total === 1 ? "" : "s"}
            {results.isFetching && " · updating…"}
          </p>
          {results.data.items.length === 0 ? (
            <p className="empty">
              None of your materials match. <Link to="/upload">Upload structures</Link> or widen the search.
            </p>
          ) : (
            <div className="table-wrap">
              <table className="data" data-testid="results-table">
                <thead>
                  <tr>
                    {visible.map((c) => (
                      <SortHeader key={c.key} label={c.label} field={c.sort} numeric={c.numeric}
                        sort={sort} order={order} onSort={onSort} />
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {results.data.items.map((m) => (
                    <tr key={m.id}>
                      {visible.map((c) => (
                        <td key={c.key} className={c.numeric ? "num" : undefined}>
                          {c.render(m)}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <Pager
            page={cursors.length}
            nextCursor={results.data.next_cursor}
            onPrevious={() => setCursors((c) => c.slice(0, -1))}
            onNext={(next) => setCursors((c) => [...c, next])}
            limit={limit}
            onLimit={onLimit}
          />
        </>
      )}
    </>
  );
}
