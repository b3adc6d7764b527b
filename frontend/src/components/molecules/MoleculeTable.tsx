/**
 * The organisation's molecules: structure, name, O[Q/P/L]A score and class, pActivity,
 * efficiency indices, properties and alerts. Score, name, MW, cLogP and QED sort on the
 * server (header buttons, `aria-sort`); the indices are those of each molecule's primary activity.
 */
import { Link } from "react-router-dom";
import { columnFormatter } from "../../format/number";
import { TableScroll } from "../common/TableScroll";
import { Depiction } from "./Depiction";
import type { MoleculeSort, MoleculeSummary, SortOrder } from "./moleculeApi";
import { classBadge } from "./moleculeFormat";

function SortHeader({
  label,
  field,
  sort,
  order,
  onSort,
  numeric = true,
  title,
}: {
  label: string;
  field?: MoleculeSort;
  sort: MoleculeSort;
  order: SortOrder;
  onSort: (f: MoleculeSort) => void;
  numeric?: boolean;
  title?: string;
}) {
  const active = field !== undefined && field === sort;
  return (
    <th
      scope="col"
      className={numeric ? "num" : undefined}
      title={title}
      aria-sort={active ? (order === "asc" ? "ascending" : "descending") : undefined}
    >
      {field ? (
        <button type="button" className="sort" onClick={() => onSort(field)} data-testid={`sort-${field}`}>
          {label}
          <span aria-hidden="true">{active ? (order === "asc" ? " ▲" : " ▼") : ""}</span>
        </button>
      ) : (
        label
      )}
    </th>
  );
}

export function MoleculeTable({
  items,
  sort,
  order,
  onSort,
}: {
  items: MoleculeSummary[];
  sort: MoleculeSort;
  order: SortOrder;
  onSort: (f: MoleculeSort) => void;
}) {
  const f = {
    score: columnFormatter(items.map((m) => m.score_total), 3),
    p: columnFormatter(items.map((m) => m.p_activity), 3),
    le: columnFormatter(items.map((m) => m.indices.le), 2),
    lle: columnFormatter(items.map((m) => m.indices.lle), 2),
    bei: columnFormatter(items.map((m) => m.indices.bei), 3),
    mw: columnFormatter(items.map((m) => m.mw), 4),
    clogp: columnFormatter(items.map((m) => m.clogp), 2),
    qed: (x: number) => x.toFixed(2),
  };
  const h = { sort, order, onSort };
  return (
    <TableScroll label="Molecules">
      <table className="data molecule-table" data-testid="molecule-table">
        <caption className="sr-only">Molecules, sorted by {sort} ({order === "asc" ? "ascending" : "descending"})</caption>
        <thead>
          <tr>
            <th scope="col">Structure</th>
            <SortHeader label="Name" field="name" numeric={false} {...h} />
            <SortHeader label="Score" field="score" title="O[Q/P/L]A score, 0–100" {...h} />
            <th scope="col">Class</th>
            <SortHeader label="pActivity" title="−log10(molar activity) of the primary activity" {...h} />
            <SortHeader label="LE" title="Ligand efficiency, kcal/mol per heavy atom" {...h} />
            <SortHeader label="LLE" title="Lipophilic ligand efficiency, pActivity − cLogP" {...h} />
            <SortHeader label="BEI" title="Binding efficiency index, pActivity per kDa" {...h} />
            <SortHeader label="MW (Da)" field="mw" {...h} />
            <SortHeader label="cLogP" field="clogp" {...h} />
            <SortHeader label="QED" field="qed" {...h} />
            <th scope="col" className="num">
              Alerts
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((m) => {
            const label = m.name ?? m.inchikey;
            return (
              <tr key={m.id} data-testid="molecule-row" data-id={m.id} data-score={m.score_total ?? ""}>
                <td className="structure-cell">
                  <Depiction id={m.id} alt={`Structure of ${label}: ${m.smiles}`} className="thumb" />
                </td>
                <td className="name-cell">
                  <Link to={`/molecules/${m.id}`} data-testid="molecule-link">
                    {label}
                  </Link>
                  <span className="smiles small muted" title={m.smiles}>
                    {m.smiles}
                  </span>
                </td>
                <td className="num" data-testid="score">
                  {f.score(m.score_total)}
                </td>
                <td>
                  <span className={classBadge(m.classification)}>{m.classification}</span>
                </td>
                <td className="num">{f.p(m.p_activity)}</td>
                <td className="num">{f.le(m.indices.le)}</td>
                <td className="num">{f.lle(m.indices.lle)}</td>
                <td className="num">{f.bei(m.indices.bei)}</td>
                <td className="num">{f.mw(m.mw)}</td>
                <td className="num">{f.clogp(m.clogp)}</td>
                <td className="num">{f.qed(m.qed)}</td>
                <td className="num">
                  {m.n_alerts > 0 ? (
                    <span className={m.has_pains ? "alert-count pains" : "alert-count"} title={m.has_pains ? "includes a PAINS alert" : undefined}>
                      {m.n_alerts}
                      {m.has_pains ? " · PAINS" : ""}
                    </span>
                  ) : (
                    "0"
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableScroll>
  );
}
