/**
 * Explorer with two views: "Known compounds" (one row per reduced formula, with every
 * reference value gathered) and "Your materials". One search box, clickable periodic
 * table (include/exclude), symmetry filters and property ranges serve both; ranges are
 * checked before anything is sent. State lives in the URL.
 */
import { useEffect, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { ALL_PROPERTIES, PROPERTY_UNITS, propertyLabel } from "../client/properties";
import { CompoundResults } from "../components/compounds/CompoundResults";
import { MaterialResults } from "../components/materials/MaterialResults";
import { PeriodicTable, type ElementState } from "../components/materials/PeriodicTable";
import {
  compoundQuery,
  materialQuery,
  rangeErrors,
  readFilters,
  type ExplorerView,
} from "../components/materials/explorerQuery";
import { parseSearch } from "../components/materials/searchQuery";

const CRYSTAL_SYSTEMS = ["triclinic", "monoclinic", "orthorhombic", "tetragonal", "trigonal", "hexagonal", "cubic"];
const VIEWS: Array<{ value: ExplorerView; label: string }> = [
  { value: "compounds", label: "Known compounds" },
  { value: "materials", label: "Your materials" },
];

export function ExplorerPage() {
  const [params, setParams] = useSearchParams();
  const view: ExplorerView = params.get("view") === "materials" ? "materials" : "compounds";
  const filters = readFilters(params);
  const { q, include, exclude, crystalSystem, spaceGroup, ranges } = filters;
  const hasStructure = params.get("has_structure") === "1";
  const source = params.get("source") ?? "";
  const propertySource = (params.get("property_source") ?? "any") as "reference" | "predicted" | "any";
  const sort = params.get("sort") ?? "id";
  const order = (params.get("order") ?? (view === "materials" ? "desc" : "asc")) as "asc" | "desc";
  const limit = Number(params.get("limit") ?? 25);
  const [text, setText] = useState(q);
  const [showTable, setShowTable] = useState(include.length + exclude.length > 0);
  useEffect(() => setText(q), [q]);

  const set = (patch: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || v === "") next.delete(k);
      else next.set(k, v);
    }
    setParams(next, { replace: false });
  };
  const toggleSort = (field: string) => {
    if (sort === field) set({ order: order === "asc" ? "desc" : "asc" });
    else set({ sort: field, order: "asc" });
  };

  const search = parseSearch(q);
  const invalid = rangeErrors(ranges);
  const elementState: Record<string, ElementState> = {};
  include.forEach((e) => (elementState[e] = "include"));
  exclude.forEach((e) => (elementState[e] = "exclude"));
  const cQuery = compoundQuery(filters, hasStructure);
  const mQuery = materialQuery(filters, source, propertySource);
  const tableProps = { sort, order, limit, onSort: toggleSort, onLimit: (n: number) => set({ limit: String(n) }) };

  return (
    <div className="page explorer">
      <h1>Explore {view === "compounds" ? "known compounds" : "your materials"}</h1>
      <div className="segmented view-switch" role="radiogroup" aria-label="What to list">
        {VIEWS.map((v) => (
          <label key={v.value} className={view === v.value ? "active" : ""}>
            <input
              type="radio"
              name="explorer-view"
              value={v.value}
              checked={view === v.value}
              // sort keys differ between the views: start from each view's default
              onChange={() => set({ view: v.value === "compounds" ? null : v.value, sort: null, order: null })}
            />
            {v.label}
          </label>
        ))}
      </div>
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
        {view === "compounds" && (
          <p className="muted small">
            Ranges apply to each compound&apos;s reference values; several ranges select compounds
            that satisfy all of them.
          </p>
        )}
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
          {view === "materials" && (
            <label>
              Values from
              <select value={propertySource} onChange={(e) => set({ property_source: e.target.value })}>
                <option value="any">reference or predicted</option>
                <option value="reference">reference data</option>
                <option value="predicted">predictions</option>
              </select>
            </label>
          )}
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
        {view === "compounds" ? (
          <label className="checkbox">
            <input
              type="checkbox"
              checked={hasStructure}
              onChange={(e) => set({ has_structure: e.target.checked ? "1" : null })}
            />
            Has a known structure
          </label>
        ) : (
          <label>
            Source
            <select value={source} onChange={(e) => set({ source: e.target.value })}>
              <option value="">any</option>
              <option value="upload">upload</option>
              <option value="batch">batch</option>
            </select>
          </label>
        )}
      </div>

      {invalid.length > 0 ? (
        <div className="error-box" role="alert" data-testid="range-error">
          <strong>Check the property ranges: </strong>
          {invalid.join(" ")}
        </div>
      ) : view === "compounds" ? (
        <CompoundResults key={JSON.stringify(cQuery)} query={cQuery} {...tableProps} />
      ) : (
        <MaterialResults key={JSON.stringify(mQuery)} query={mQuery} {...tableProps} />
      )}
    </div>
  );
}
