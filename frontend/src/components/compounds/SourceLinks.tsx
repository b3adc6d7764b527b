/** Citable ids of a compound's sources: external links where the source has a public page. */
import type { CompoundHit } from "../../client/api";

export function SourceLink({ id, url }: { id: string; url: string | null | undefined }) {
  return url ? (
    <a href={url} target="_blank" rel="noopener noreferrer" className="source-link">
      {id}
    </a>
  ) : (
    <span className="source-link">{id}</span>
  );
}

export function SourceLinks({ links, max = 3 }: { links: CompoundHit["links"]; max?: number }) {
  if (links.length === 0) return <span className="muted">—</span>;
  const shown = links.slice(0, max);
  return (
    <span className="source-links">
      {shown.map((l, i) => (
        <span key={l.source_id}>
          {i > 0 && ", "}
          <SourceLink id={l.source_id} url={l.url} />
        </span>
      ))}
      {links.length > max && <span className="muted"> +{links.length - max} more</span>}
    </span>
  );
}
