/**
 * The explorer's "Known compounds" view: one row per compound (reduced formula) with its
 * headline reference values, known structures, citable source ids and entry count.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router-dom";
import { api, unwrap, type CompoundHit, type CompoundSort } from "../../client/api";
import { ALL_PROPERTIES, PROPERTY_UNITS, fmt, propertyLabel } from "../../client/properties";
import { Formula } from "../common/Formula";
import { ErrorBox, Loading } from "../common/Status";
import { Pager, SortHeader } from "../materials/ResultTable";
import type { compoundQuery } from "../materials/explorerQuery";
import { SourceLinks } from "./SourceLinks";

/** "3: 225, 221" — how many known structures and their space-group numbers. */
export function structuresText(c: Pick<CompoundHit, "n_structures" | "space_group_numbers">): string {
  if (c.n_structures === 0) return "none";
  const groups = c.space_group_numbers.length ? ` (SG ${c.space_group_numbers.join(", ")})` : "";
  return `${c.n_structures}${groups}`;
}

interface Props {
  query: ReturnType<typeof compoundQuery>;
  sort: string;
  order: "asc" | "desc";
  limit: number;
  onSort: (field: string) => void;
  onLimit: (limit: number) => void;
}

/** Remount it (`key`) when the filters change: the page cursor starts over. */
export function CompoundResults({ query, sort, order, limit, onSort, onLimit }: Props) {
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const full = {
    ...query,
    sort: sort as CompoundSort,
    order,
    limit,
    cursor: cursors[cursors.length - 1] ?? undefined,
  };
  const results = useQuery({
    queryKey: ["compounds", full],
    queryFn: () => unwrap(api.GET("/api/v1/compounds", { params: { query: full } })),
    placeholderData: keepPreviousData,
  });
  const header = { sort, order, onSort };
  return (
    <>
      {results.isError && <ErrorBox error={results.error} />}
      {results.isPending && <Loading />}
      {results.data && (
        <>
          <p className="muted" aria-live="polite" data-testid="result-count">
            {results.data.total_is_estimate && "about "}
            {results.data.total.toLocaleString()} known compound{results.data.total === 1 ? "" : "s"}
            {results.isFetching && " · updating…"}
          </p>
          {results.data.items.length === 0 ? (
            <p className="empty">No known compound matches. Widen the search.</p>
          ) : (
            <div className="table-wrap">
              <table className="data compounds" data-testid="compounds-table">
                <thead>
                  <tr>
                    <SortHeader label="Formula" field="reduced_formula" {...header} />
                    <SortHeader label="Chemical system" {...header} />
                    <SortHeader label="Structures" field="n_structures" numeric {...header} />
                    <SortHeader label="Entries" field="n_entries" numeric {...header} />
                    {ALL_PROPERTIES.map((p) => (
                      <SortHeader
                        key={p}
                        label={
                          <>
                            {propertyLabel(p)} <span className="unit">({PROPERTY_UNITS[p]})</span>
                          </>
                        }
                        field={p}
                        numeric
                        {...header}
                      />
                    ))}
                    <SortHeader label="Source ids" {...header} />
                  </tr>
                </thead>
                <tbody>
                  {results.data.items.map((c) => (
                    <tr key={c.id} data-testid="compound-row">
                      <td>
                        <Link to={`/compounds/${c.id}`} data-testid="compound-link">
                          <Formula formula={c.reduced_formula} />
                        </Link>
                      </td>
                      <td>{c.chemical_system}</td>
                      <td className="num">{structuresText(c)}</td>
                      <td className="num">{c.n_entries}</td>
                      {ALL_PROPERTIES.map((p) => (
                        <td key={p} className="num" data-property={p}>
                          {fmt(c.properties[p])}
                        </td>
                      ))}
                      <td>
                        <SourceLinks links={c.links} />
                      </td>
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
