/**
 * Molecules: upload a file as a batch job (live progress, row errors), then the
 * organisation's molecules, sortable and filterable, with CSV / SDF / PDF exports. Sort,
 * filters, page and the followed job live in the URL.
 */
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { DownloadLink } from "../components/common/DownloadLink";
import { Empty, ErrorBox, Loading } from "../components/common/Status";
import { MoleculeBatch } from "../components/molecules/MoleculeBatch";
import { MoleculeTable } from "../components/molecules/MoleculeTable";
import {
  exportUrl,
  listMolecules,
  moleculeKeys,
  type Classification,
  type ListParams,
  type MoleculeSort,
  type SortOrder,
} from "../components/molecules/moleculeApi";
import "../components/molecules/molecules.css";

const PAGE = 50;
const SORTS: MoleculeSort[] = ["score", "name", "mw", "clogp", "qed", "created"];
const CLASSES: Classification[] = ["Strong", "Moderate", "Weak", "Unscored"];
/** The server's default direction per column (descending for score, QED and created). */
const defaultOrder = (s: MoleculeSort): SortOrder => (s === "score" || s === "qed" || s === "created" ? "desc" : "asc");

export function MoleculesPage() {
  const client = useQueryClient();
  const [params, setParams] = useSearchParams();
  const sort = (SORTS as string[]).includes(params.get("sort") ?? "") ? (params.get("sort") as MoleculeSort) : "score";
  const order: SortOrder = params.get("order") === "asc" || params.get("order") === "desc" ? (params.get("order") as SortOrder) : defaultOrder(sort);
  const classification = (CLASSES as string[]).includes(params.get("class") ?? "") ? (params.get("class") as Classification) : undefined;
  const pains = params.get("pains");
  const q = params.get("q") ?? "";
  const page = Math.max(0, Number(params.get("page")) || 0);
  const jobParam = Number(params.get("job"));
  const jobId = Number.isInteger(jobParam) && jobParam > 0 ? jobParam : null;
  const [text, setText] = useState(q);

  const update = useCallback(
    (changes: Record<string, string | null>) =>
      setParams(
        (old) => {
          const next = new URLSearchParams(old);
          for (const [k, v] of Object.entries(changes)) {
            if (v === null || v === "") next.delete(k);
            else next.set(k, v);
          }
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );

  const query: ListParams = {
    sort,
    order,
    classification,
    hasPains: pains === "yes" ? true : pains === "no" ? false : undefined,
    q: q || undefined,
    limit: PAGE,
    offset: page * PAGE,
  };
  const list = useQuery({ queryKey: moleculeKeys.list(query), queryFn: () => listMolecules(query), placeholderData: keepPreviousData });
  const onFinished = useCallback(() => void client.invalidateQueries({ queryKey: moleculeKeys.all }), [client]);

  const onSort = (f: MoleculeSort) => {
    const nextOrder = f === sort ? (order === "asc" ? "desc" : "asc") : defaultOrder(f);
    update({ sort: f, order: nextOrder, page: null });
  };
  const data = list.data;
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE)) : 1;

  return (
    <div className="page molecules-page">
      <h1>Molecules</h1>
      <section className="panel" aria-labelledby="batch-title">
        <h2 id="batch-title">Add molecules from a file</h2>
        <MoleculeBatch jobId={jobId} onJob={(id) => update({ job: String(id) })} onFinished={onFinished} />
      </section>

      <section className="panel" aria-labelledby="list-title">
        <div className="panel-head">
          <h2 id="list-title">
            Your molecules{data ? <span className="muted small" data-testid="molecule-total"> · {data.total.toLocaleString()}</span> : null}
          </h2>
          <div className="button-row" role="group" aria-label="Export all molecules">
            <DownloadLink url={exportUrl("csv")} filename="molecules.csv" data-testid="export-csv">
              Export CSV
            </DownloadLink>
            <DownloadLink url={exportUrl("sdf")} filename="molecules.sdf" data-testid="export-sdf">
              Export SDF
            </DownloadLink>
            <DownloadLink url={exportUrl("pdf")} filename="molecules.pdf" data-testid="export-pdf">
              Export PDF
            </DownloadLink>
          </div>
        </div>
        <form
          className="filters"
          role="search"
          aria-label="Filter molecules"
          onSubmit={(e) => {
            e.preventDefault();
            update({ q: text.trim() || null, page: null });
          }}
        >
          <label>
            Name or SMILES
            <input type="search" value={text} onChange={(e) => setText(e.target.value)} maxLength={200} data-testid="molecule-q" />
          </label>
          <label>
            Class
            <select value={classification ?? ""} onChange={(e) => update({ class: e.target.value || null, page: null })} data-testid="class-filter">
              <option value="">Any</option>
              {CLASSES.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </label>
          <label>
            PAINS
            <select value={pains ?? ""} onChange={(e) => update({ pains: e.target.value || null, page: null })} data-testid="pains-filter">
              <option value="">Any</option>
              <option value="yes">With PAINS alerts</option>
              <option value="no">Without PAINS alerts</option>
            </select>
          </label>
          <label>
            Sort by
            <select value={sort} onChange={(e) => onSort(e.target.value as MoleculeSort)}>
              {SORTS.map((s) => (
                <option key={s} value={s}>
                  {s === "mw" ? "MW" : s === "clogp" ? "cLogP" : s === "qed" ? "QED" : s[0].toUpperCase() + s.slice(1)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Filter</button>
        </form>
        {list.isPending && <Loading />}
        {list.isError && <ErrorBox error={list.error} />}
        {data && data.total === 0 && (
          <Empty>{q || classification || pains ? "No molecule matches these filters." : "No molecules yet: upload a file above."}</Empty>
        )}
        {data && data.items.length > 0 && (
          <>
            <MoleculeTable items={data.items} sort={sort} order={order} onSort={onSort} />
            {pages > 1 && (
              <nav className="pager" aria-label="Pages">
                <button type="button" disabled={page === 0} onClick={() => update({ page: String(page - 1) })}>
                  Previous
                </button>
                <span>
                  Page {page + 1} of {pages}
                </span>
                <button type="button" disabled={page + 1 >= pages} onClick={() => update({ page: String(page + 1) })}>
                  Next
                </button>
              </nav>
            )}
          </>
        )}
      </section>
    </div>
  );
}

export default MoleculesPage;
