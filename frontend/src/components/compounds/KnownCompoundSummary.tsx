/**
 * Beside a formula's predictions: is it a known compound, and what are its headline
 * reference values? (`GET /api/v1/compounds/{formula}`; 404 = not a known compound.)
 */
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { api, ApiError, unwrap } from "../../client/api";
import { databaseName } from "../../client/sources";
import { formatNumber } from "../../format/number";
import { ErrorBox, Loading } from "../common/Status";

export function KnownCompoundSummary({ formula }: { formula: string }) {
  const compound = useQuery({
    queryKey: ["compound", formula],
    queryFn: () => unwrap(api.GET("/api/v1/compounds/{key}", { params: { path: { key: formula } } })),
    retry: false,
  });
  if (compound.isPending) return <Loading label="Looking for known values…" />;
  if (compound.isError) {
    if (compound.error instanceof ApiError && compound.error.status === 404) {
      return (
        <p className="muted small" data-testid="known-compound">
          {formula} is not a known compound in the reference data: only the predictions below.
        </p>
      );
    }
    return <ErrorBox error={compound.error} title="Could not look up known values" />;
  }
  const c = compound.data;
  const headline = c.reference_values.filter((v) => v.headline);
  return (
    <div className="known-compound small" data-testid="known-compound">
      <p>
        <strong>{c.reduced_formula}</strong> is a known compound ({c.n_entries} reference{" "}
        {c.n_entries === 1 ? "entry" : "entries"}, {c.n_structures} known{" "}
        {c.n_structures === 1 ? "structure" : "structures"}):{" "}
        <Link to={`/compounds/${encodeURIComponent(c.reduced_formula)}`}>compound page</Link>
      </p>
      {headline.length > 0 && (
        <dl className="kv" data-testid="known-values">
          {headline.map((v) => (
            <div className="kv-row" key={`${v.property}-${v.table}`}>
              <dt>{v.display_name}</dt>
              <dd>
                {formatNumber(v.value)} {v.unit}{" "}
                <span className="muted">({databaseName(v.source_database)})</span>
              </dd>
            </div>
          ))}
        </dl>
      )}
    </div>
  );
}
