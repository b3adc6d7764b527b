/**
 * The material page's "similar materials" panel: the nearest neighbours by composition
 * (composition embeddings, one representative per formula, linked to its known compound)
 * or by structure (CHGNet structure embeddings, same structure type first; only for
 * materials with a structure), and the other known structures of this compound.
 */
import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Link } from "react-router-dom";
import {
  api,
  unwrap,
  type KnownStructure,
  type Material,
  type SimilarBy,
  type SimilarMaterial,
} from "../../client/api";
import { databaseName } from "../../client/sources";
import { Empty, ErrorBox, Loading } from "../common/Status";

/** Neighbours requested per search. */
export const SIMILAR_K = 20;

const BY_OPTIONS: Array<{ value: SimilarBy; label: string }> = [
  { value: "composition", label: "Composition" },
  { value: "structure", label: "Structure" },
];

export function useSimilar(materialId: number, by: SimilarBy) {
  return useQuery({
    queryKey: ["similar", materialId, by],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/materials/{material_id}/similar", {
          params: { path: { material_id: materialId }, query: { k: SIMILAR_K, by } },
        }),
      ),
    staleTime: 60_000,
    retry: false,
  });
}

/** Where a neighbour comes from: the reference database or how it entered MatDiscover. */
export function sourceLabel(m: Material): string {
  if (m.source_database) return databaseName(m.source_database);
  return m.source;
}

function NeighbourRow({ item, by }: { item: SimilarMaterial; by: SimilarBy }) {
  const m = item.material;
  // a neighbour by composition is a formula: a known one opens its compound page (every
  // reference value); a neighbour by structure is that structure's material page
  const to = by === "composition" && item.compound ? `/compounds/${item.compound.id}` : `/materials/${m.id}`;
  return (
    <tr>
      <td>
        <Link to={to} data-testid="similar-link">
          {m.reduced_formula}
        </Link>
        {item.isostructural && (
          <span className="chip include" title="Same structure type (StructureMatcher)">
            {" "}
            same structure type
          </span>
        )}
        {item.entries > 1 && (
          <span className="muted small" title="Entries with this formula">
            {" "}
            ({item.entries} entries)
          </span>
        )}
      </td>
      <td className="num" title={`cosine distance ${item.distance.toFixed(4)}`}>
        {item.similarity.toFixed(3)}
      </td>
      <td>{sourceLabel(m)}</td>
      <td>
        {m.space_group_symbol ? (
          <>
            {m.space_group_symbol} <span className="muted">({m.space_group_number})</span>
          </>
        ) : (
          <span className="muted" title="Composition only: no structure stored">
            —
          </span>
        )}
      </td>
    </tr>
  );
}

/** The known structures of the query's own compound (its polymorphs), which the neighbour
 * list leaves out. */
function OtherStructures({ structures }: { structures: KnownStructure[] }) {
  return (
    <details className="history" data-testid="other-structures">
      <summary>Other structures of this compound ({structures.length})</summary>
      <ul className="entry-list">
        {structures.map((s) => (
          <li key={s.material_id}>
            <Link to={`/materials/${s.material_id}`}>{s.label}</Link>{" "}
            <span className="muted small">
              {s.space_group_symbol ?? "—"}
              {s.space_group_number && ` (${s.space_group_number})`} · {databaseName(s.source_database)}
            </span>
          </li>
        ))}
      </ul>
    </details>
  );
}

export function SimilarMaterials({ material }: { material: Material }) {
  const hasStructure = (material.nsites ?? 0) > 0;
  const [by, setBy] = useState<SimilarBy>("composition");
  const similar = useSimilar(material.id, by);
  const name = useId();
  const items = similar.data?.items ?? [];
  return (
    <section className="panel similar-panel" aria-labelledby="similar-title" data-testid="similar-panel">
      <div className="panel-head">
        <h2 id="similar-title">Similar materials</h2>
        <fieldset className="segmented">
          <legend className="sr-only">Similar by</legend>
          {BY_OPTIONS.map((o) => {
            const disabled = o.value === "structure" && !hasStructure;
            return (
              <label
                key={o.value}
                className={`${by === o.value ? "active" : ""}${disabled ? " disabled" : ""}`}
                title={disabled ? "This entry has a composition only" : undefined}
              >
                <input
                  type="radio"
                  name={name}
                  value={o.value}
                  checked={by === o.value}
                  disabled={disabled}
                  onChange={() => setBy(o.value)}
                />
                {o.label}
              </label>
            );
          })}
        </fieldset>
      </div>
      <p className="muted small">
        {by === "composition"
          ? "Nearest formulas by composition embedding (one entry per formula, other formulas only)."
          : "Nearest structures by CHGNet structure embedding, among materials and known structures; the same structure type first."}
        {similar.data?.query_compound && (
          <>
            {" "}
            This formula:{" "}
            <Link to={`/compounds/${similar.data.query_compound.id}`} data-testid="query-compound">
              {similar.data.query_compound.reduced_formula} compound page
            </Link>
            .
          </>
        )}
      </p>
      {similar.isPending && <Loading label="Searching neighbours…" />}
      {similar.isError && <ErrorBox error={similar.error} title="Could not load similar materials" />}
      {similar.isSuccess && items.length === 0 && (
        <Empty>
          {by === "structure"
            ? "No other material with a structure to compare with yet."
            : "No similar materials found."}
        </Empty>
      )}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="data" aria-describedby="similar-title">
            <thead>
              <tr>
                <th scope="col">Formula</th>
                <th scope="col" className="num" title="1 − cosine distance of the embeddings">
                  Similarity
                </th>
                <th scope="col">Source</th>
                <th scope="col">Structure</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <NeighbourRow key={item.material.id} item={item} by={similar.data?.by ?? by} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(similar.data?.other_structures?.length ?? 0) > 0 && (
        <OtherStructures structures={similar.data!.other_structures!} />
      )}
    </section>
  );
}
