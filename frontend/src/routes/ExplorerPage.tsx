/**
 * Materials explorer: search box, clickable periodic table (include/exclude), filters,
 * sortable results table with a columns chooser, cursor pagination. State lives in the URL.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { api, unwrap, type MaterialHit } from "../client/api";
import { ALL_PROPERTIES, PROPERTY_UNITS, fmt, propertyLabel } from "../client/properties";
import { ErrorBox, Loading } from "../components/common/Status";
import { PeriodicTable, type ElementState } from "../components/materials/PeriodicTable";
import { parseSearch } from "../components/materials/searchQuery";

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
  { key: "source", label: "Source", render: (m) => (m.is_reference ? `${m.source} (reference)` : m.source) },
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
const CRYSTAL_SYSTEMS = ["triclinic", "monoclinic", "orthorhombic", "tetragonal", "trigonal", "hexagonal", "cubic"];

function loadColumns(): string[] {
  try {
    const v = JSON.parse(localStorage.getItem(COLUMNS_KEY) ?? "null") as unknown;
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
  } catch {
    /* ignore */
  }
  return DEFAULT_COLUMNS;
}

export function ExplorerPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const include = params.get("include")?.split(",").filter(Boolean) ?? [];
  const exclude = params.get("exclude")?.split(",").filter(Boolean) ?? [];
  const crystalSystem = params.get("crystal_system") ?? "";
  const spaceGroup = params.get("space_group") ?? "";
  const source = params.get("source") ?? "";
  const ownOnly = params.get("own") === "1";
  const sort = (params.get("sort") ?? "id") as SortField;
  const order = (params.get("order") ?? "desc") as "asc" | "desc";
  const limit = Number(params.get("limit") ?? 25);
  const propertySource = (params.get("property_source") ?? "any") as "reference" | "predicted" | "any";
  const ranges: Record<string, number> = {};
  for (const p of ALL_PROPERTIES) {
    for (const end of ["min", "max"]) {
      const v = params.get(`${p}_${end}`);
      if (v !== null && v !== "" && Number.isFinite(Number(v))) ranges[`${p}_${end}`] = Number(v);
    }
  }
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const cursor = cursors[cursors.length - 1];
  const [text, setText] = useState(q);
  const [columns, setColumns] = useState<string[]>(loadColumns);
  const [showTable, setShowTable] = useState(include.length + exclude.length > 0);

  useEffect(() => setText(q), [q]);
  useEffect(() => localStorage.setItem(COLUMNS_KEY, JSON.stringify(columns)), [columns]);

  const set = (patch: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || v === "") next.delete(k);
      else next.set(k, v);
    }
    setCursors([null]);
    setParams(next, { replace: false });
  };

  const search = parseSearch(q);
  const query = {
    formula: search.kind === "formula" ? search.value : undefined,
    chemical_system: search.kind === "chemical_system" ? search.value : undefined,
    elements: [...(search.kind === "elements" ? search.value : []), ...include],
    elements_exclude: exclude.length ? exclude : undefined,
    crystal_system: (crystalSystem || undefined) as "cubic" | undefined,
    space_group_number: spaceGroup ? Number(spaceGroup) : undefined,
    source: (source || undefined) as "upload" | undefined,
    include_reference: !ownOnly,
    property_source: propertySource,
    ...ranges,
    sort,
    order,
    limit,
    cursor: cursor ?? undefined,
  };
  if (query.elements.length === 0) delete (query as { elements?: string[] }).elements;

  const results = useQuery({
    queryKey: ["materials", query],
    queryFn: () => unwrap(api.GET("/api/v1/materials", { params: { query } })),
    placeholderData: keepPreviousData,
  });

  const elementState: Record<string, ElementState> = {};
  include.forEach((e) => (elementState[e] = "include"));
  exclude.forEach((e) => (elementState[e] = "exclude"));

  const toggleSort = (field: SortField) => {
    if (sort === field) set({ order: order === "asc" ? "desc" : "asc" });
    else set({ sort: field, order: "asc" });
  };
  const visible = COLUMNS.filter((c) => columns.includes(c.key));
  const page = cursors.length;

  return (
    <div className="page explorer">
      <h1>Explore materials</h1>
      <form
        className="search-bar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          set({ q: text.trim() });
        }}
      >
        <label htmlFor="search" className="sr-only">
          Search by formula, chemical system or elements
        </label>
        <input
          id="search"
          type="search"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="Formula (Fe2O3), chemical system (Fe-O) or elements (Fe, O)"
        />
        <button type="submit" className="primary">
          Search
        </button>
        <span className="muted small" aria-live="polite">
          {search.kind === "chemical_system" && `Chemical system ${search.value}`}
          {search.kind === "elements" && `Contains ${search.value.join(", ")}`}
          {search.kind === "formula" && `Formula ${search.value}`}
        </span>
      </form>

      <details className="panel" open={showTable} onToggle={(e) => setShowTable((e.target as HTMLDetailsElement).open)}>
        <summary>
          Elements{" "}
          {include.length > 0 && <span className="chip include">contains {include.join(", ")}</span>}{" "}
          {exclude.length > 0 && <span className="chip exclude">without {exclude.join(", ")}</span>}
        </summary>
        <p className="muted small">Click an element to require it; click again to exclude it; a third click clears it.</p>
        <PeriodicTable
          value={elementState}
          onChange={(next) => {
            const inc = Object.keys(next).filter((k) => next[k] === "include");
            const exc = Object.keys(next).filter((k) => next[k] === "exclude");
            set({ include: inc.join(","), exclude: exc.join(",") });
          }}
        />
        {(include.length > 0 || exclude.length > 0) && (
          <button type="button" className="small" onClick={() => set({ include: null, exclude: null })}>
            Clear elements
          </button>
        )}
      </details>

      <details className="panel" open={Object.keys(ranges).length > 0}>
        <summary>
          Property ranges{" "}
          {Object.keys(ranges).length > 0 && <span className="chip include">{Object.keys(ranges).length} set</span>}
        </summary>
        <div className="ranges">
          {ALL_PROPERTIES.map((p) => (
            <fieldset key={p} className="range">
              <legend>
                {propertyLabel(p)} <span className="muted">({PROPERTY_UNITS[p]})</span>
              </legend>
              {(["min", "max"] as const).map((end) => (
                <label key={end}>
                  <span className="sr-only">
                    {propertyLabel(p)} {end === "min" ? "minimum" : "maximum"}
                  </span>
                  <input
                    type="number"
                    step="any"
                    placeholder={end}
                    defaultValue={params.get(`${p}_${end}`) ?? ""}
                    onBlur={(e) => set({ [`${p}_${end}`]: e.target.value })}
                    onKeyDown={(e) => {
                      if (e.key === "Enter") set({ [`${p}_${end}`]: (e.target as HTMLInputElement).value });
                    }}
                  />
                </label>
              ))}
            </fieldset>
          ))}
          <label>
            Values from
            <select value={propertySource} onChange={(e) => set({ property_source: e.target.value })}>
              <option value="any">reference or predicted</option>
              <option value="reference">reference data</option>
              <option value="predicted">predictions</option>
            </select>
          </label>
        </div>
      </details>

      <div className="filters">
        <label>
          Crystal system
          <select value={crystalSystem} onChange={(e) => set({ crystal_system: e.target.value })}>
            <option value="">any</option>
            {CRYSTAL_SYSTEMS.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          Space group no.
          <input
            type="number"
            min={1}
            max={230}
            value={spaceGroup}
            onChange={(e) => set({ space_group: e.target.value })}
            className="narrow-input"
          />
        </label>
        <label>
          Source
          <select value={source} onChange={(e) => set({ source: e.target.value })}>
            <option value="">any</option>
            <option value="upload">upload</option>
            <option value="batch">batch</option>
            <option value="reference">reference</option>
          </select>
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={ownOnly} onChange={(e) => set({ own: e.target.checked ? "1" : null })} />
          Only my materials
        </label>
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
            {results.data.total.toLocaleString()} material{results.data.total === 1 ? "" : "s"}
            {results.isFetching && " · updating…"}
          </p>
          {results.data.items.length === 0 ? (
            <p className="empty">
              No materials match. <Link to="/upload">Upload structures</Link> or widen the search.
            </p>
          ) : (
            <div className="table-wrap">
              <table className="data" data-testid="results-table">
                <thead>
                  <tr>
                    {visible.map((c) => (
                      <th
                        key={c.key}
                        scope="col"
                        className={c.numeric ? "num" : undefined}
                        aria-sort={c.sort && sort === c.sort ? (order === "asc" ? "ascending" : "descending") : undefined}
                      >
                        {c.sort ? (
                          <button type="button" className="sort" onClick={() => toggleSort(c.sort!)}>
                            {c.label}
                            <span aria-hidden="true">{sort === c.sort ? (order === "asc" ? " ▲" : " ▼") : ""}</span>
                          </button>
                        ) : (
                          c.label
                        )}
                      </th>
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
          <nav className="pager" aria-label="Pages">
            <button type="button" disabled={page <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
              ← Previous
            </button>
            <span className="muted">Page {page}</span>
            <button
              type="button"
              disabled={!results.data.next_cursor}
              onClick={() => setCursors((c) => [...c, results.data.next_cursor ?? null])}
            >
              Next →
            </button>
            <label className="inline">
              Per page
              <select value={limit} onChange={(e) => set({ limit: e.target.value })}>
                {[25, 50, 100, 200].map((n) => (
                  <option key={n}>{n}</option>
                ))}
              </select>
            </label>
          </nav>
        </>
      )}
    </div>
  );
}
