/**
 * One known compound (route `/compounds/:key`, key = compound id or any formula): header
 * with its citable source ids, every reference value with provenance, the known
 * structures in the 3D viewer with downloads, and the caller's own materials of the
 * formula with their predictions beside the reference values.
 */
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router-dom";
import { ApiError, api, unwrap } from "../client/api";
import { KnownStructures } from "../components/compounds/KnownStructures";
import { OwnMaterials } from "../components/compounds/OwnMaterials";
import { ReferenceValuesTable } from "../components/compounds/ReferenceValues";
import { SourceLinks } from "../components/compounds/SourceLinks";
import { Formula } from "../components/common/Formula";
import { ErrorBox, Loading } from "../components/common/Status";

/** Retry transient failures a couple of times, never a 4xx (a missing compound stays missing). */
export function retryUnlessClientError(count: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return count < 2;
}

export function CompoundPage() {
  const { key = "" } = useParams();
  const compound = useQuery({
    queryKey: ["compound", key],
    queryFn: () => unwrap(api.GET("/api/v1/compounds/{key}", { params: { path: { key } } })),
    retry: retryUnlessClientError,
  });
  if (compound.isPending) return <Loading />;
  if (compound.isError) {
    const err = compound.error;
    if (err instanceof ApiError && err.status === 404) {
      return (
        <div className="page" data-testid="compound-not-found">
          <h1>No known compound “{key}”</h1>
          <p>
            No shipped reference entry has this formula. <Link to={`/materials?q=${encodeURIComponent(key)}`}>Search
            the explorer</Link> or <Link to="/">predict its properties</Link> from the formula.
          </p>
        </div>
      );
    }
    return <ErrorBox error={err} title="Could not load the compound" />;
  }
  const c = compound.data;
  return (
    <div className="page compound-page">
      <header className="page-head">
        <h1>
          <Formula formula={c.reduced_formula} className="compound-formula" />{" "}
          <span className="muted small">known compound</span>
        </h1>
        <dl className="kv compound-meta" data-testid="compound-meta">
          <dt>Chemical system</dt>
          <dd>{c.chemical_system}</dd>
          {c.anonymous_formula && (
            <>
              <dt>Prototype</dt>
              <dd>{c.anonymous_formula}</dd>
            </>
          )}
          <dt>Reference entries</dt>
          <dd>
            {c.n_entries} · {c.n_structures} known structure{c.n_structures === 1 ? "" : "s"}
          </dd>
          <dt>Sources</dt>
          <dd>
            <SourceLinks links={c.links} max={10} />
          </dd>
        </dl>
      </header>
      <KnownStructures key={c.id} structures={c.structures} formula={c.reduced_formula} />
      <section className="panel" aria-labelledby="ref-title">
        <h2 id="ref-title">Reference values</h2>
        <ReferenceValuesTable values={c.reference_values} />
      </section>
      <OwnMaterials compound={c} />
    </div>
  );
}
