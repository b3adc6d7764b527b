/** Pieces both explorer tables share: a sortable column header and the page controls. */
import type { ReactNode } from "react";

export function SortHeader({
  label,
  field,
  numeric,
  sort,
  order,
  onSort,
}: {
  label: ReactNode;
  field?: string;
  numeric?: boolean;
  sort: string;
  order: "asc" | "desc";
  onSort: (field: string) => void;
}) {
  const active = field !== undefined && sort === field;
  return (
    <th
      scope="col"
      className={numeric ? "num" : undefined}
      aria-sort={active ? (order === "asc" ? "ascending" : "descending") : undefined}
    >
      {field ? (
        <button type="button" className="sort" onClick={() => onSort(field)}>
          {label}
          <span aria-hidden="true">{active ? (order === "asc" ? " ▲" : " ▼") : ""}</span>
        </button>
      ) : (
        label
      )}
    </th>
  );
}

export function Pager({
  page,
  nextCursor,
  onPrevious,
  onNext,
  limit,
  onLimit,
}: {
  page: number;
  nextCursor: string | null;
  onPrevious: () => void;
  onNext: (cursor: string) => void;
  limit: number;
  onLimit: (limit: number) => void;
}) {
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={page <= 1} onClick={onPrevious}>
        ← Previous
      </button>
      <span className="muted">Page {page}</span>
      <button type="button" disabled={!nextCursor} onClick={() => nextCursor && onNext(nextCursor)}>
        Next →
      </button>
      <label className="inline">
        Per page
        <select value={limit} onChange={(e) => onLimit(Number(e.target.value))}>
          {[25, 50, 100, 200].map((n) => (
            <option key={n}>{n}</option>
          ))}
        </select>
      </label>
    </nav>
  );
}
