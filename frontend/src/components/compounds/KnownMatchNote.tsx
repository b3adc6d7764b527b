/** How an uploaded structure relates to the known compounds (`known_match` of a material). */
import { Link } from "react-router-dom";
import type { KnownMatch } from "../../client/api";
import { databaseName } from "../../client/sources";

export function KnownMatchNote({ match, formula }: { match: KnownMatch | null | undefined; formula: string }) {
  if (!match) return null;
  const compound = match.reduced_formula ?? formula;
  switch (match.kind) {
    case "match":
      return (
        <span data-testid="known-match" data-kind={match.kind}>
          Matches{" "}
          {match.material_id ? (
            <Link to={`/materials/${match.material_id}`}>{match.source_id ?? `#${match.material_id}`}</Link>
          ) : (
            match.source_id
          )}{" "}
          ({databaseName(match.source_database)}
          {match.space_group_symbol && `, ${match.space_group_symbol}`})
          {match.url && (
            <>
              {" · "}
              <a href={match.url} target="_blank" rel="noopener noreferrer">
                source page
              </a>
            </>
          )}
        </span>
      );
    case "new_polymorph": {
      const n = match.known_structures;
      return (
        <span data-testid="known-match" data-kind={match.kind}>
          New polymorph of a known compound (
          <Link to={`/compounds/${encodeURIComponent(compound)}`}>{compound}</Link>
          {n != null && `, ${n} known structure${n === 1 ? "" : "s"}`})
        </span>
      );
    }
    case "known_composition":
      return (
        <span data-testid="known-match" data-kind={match.kind}>
          Known compound (<Link to={`/compounds/${encodeURIComponent(compound)}`}>{compound}</Link>); no
          reference structure
        </span>
      );
    default:
      return (
        <span data-testid="known-match" data-kind={match.kind}>
          Not among the known compounds
        </span>
      );
  }
}
