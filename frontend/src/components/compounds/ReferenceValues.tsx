/**
 * Every reference value of a compound, grouped by property: one row per source table with
 * the value and unit (the compound's headline value marked), entry count, range, the
 * entries behind it and their provenance.
 */
import { Link } from "react-router-dom";
import type { ReferenceValue } from "../../client/api";
import { ALL_PROPERTIES, fmt } from "../../client/properties";
import { databaseName } from "../../client/sources";

/** Catalogue properties first (in catalogue order), then the others alphabetically. */
export function groupByProperty(values: ReferenceValue[]): ReferenceValue[][] {
  const groups = new Map<string, ReferenceValue[]>();
  for (const v of values) groups.set(v.property, [...(groups.get(v.property) ?? []), v]);
  const rank = (p: string) => {
    const i = ALL_PROPERTIES.indexOf(p as (typeof ALL_PROPERTIES)[number]);
    return i < 0 ? ALL_PROPERTIES.length : i;
  };
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([, rows]) => [...rows].sort((x, y) => Number(y.headline) - Number(x.headline)));
}

const SHOWN_ENTRIES = 3;

function Entries({ v }: { v: ReferenceValue }) {
  const more = v.n_entries - Math.min(v.entries.length, SHOWN_ENTRIES);
  return (
    <ul className="entry-list">
      {v.entries.slice(0, SHOWN_ENTRIES).map((e) => (
        <li key={e.material_id}>
          {e.url ? (
            <a href={e.url} target="_blank" rel="noopener noreferrer">
              {e.label}
            </a>
          ) : (
            <Link to={`/materials/${e.material_id}`}>{e.label}</Link>
          )}
        </li>
      ))}
      {more > 0 && <li className="muted">and {more} more</li>}
    </ul>
  );
}

export function ReferenceValuesTable({ values }: { values: ReferenceValue[] }) {
  if (values.length === 0) return <p className="muted">No reference values for this compound.</p>;
  return (
    <div className="table-wrap">
      <table className="data reference-values" data-testid="reference-values">
        <thead>
          <tr>
            <th scope="col">Property</th>
            <th scope="col" className="num">
              Value
            </th>
            <th scope="col">Source</th>
            <th scope="col" className="num">
              Entries
            </th>
            <th scope="col">Range</th>
            <th scope="col">Entry ids</th>
          </tr>
        </thead>
        {groupByProperty(values).map((rows) => (
          <tbody key={rows[0].property} data-property={rows[0].property}>
            {rows.map((v, i) => (
              <tr key={`${v.table}-${v.source_database}`} data-testid="reference-value">
                {i === 0 && (
                  <th scope="rowgroup" rowSpan={rows.length} className="property-name">
                    {v.display_name}
                  </th>
                )}
                <td className="num">
                  <span data-testid="value">{fmt(v.value)}</span> <span className="muted">{v.unit}</span>
                  {v.headline && (
                    <span className="chip include headline" title="The compound's headline value">
                      headline
                    </span>
                  )}
                </td>
                <td className="wrap">
                  {databaseName(v.source_database)} <span className="muted">· {v.table}</span>
                  <details className="provenance">
                    <summary className="small">Provenance</summary>
                    <p className="small">{v.upstream}</p>
                    <p className="small">{v.licence}</p>
                  </details>
                </td>
                <td className="num" data-testid="n-entries" data-label="Entries">
                  {v.n_entries}
                </td>
                <td data-label="Range">
                  {v.n_entries > 1 ? (
                    <>
                      {fmt(v.min)} to {fmt(v.max)} <span className="muted">{v.unit}</span>
                    </>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td className="wrap" data-label="Entry ids">
                  <Entries v={v} />
                </td>
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}
