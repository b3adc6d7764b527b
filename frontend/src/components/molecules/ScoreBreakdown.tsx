/**
 * The O[Q/P/L]A score with every component and weight, and the arithmetic that gives the
 * total from the displayed numbers, then what went into efficiency and quality.
 */
import { fixed } from "../../format/number";
import { TableScroll } from "../common/TableScroll";
import type { MoleculeScore } from "./moleculeApi";
import { EFFICIENCY_TERM_LABELS, scoreTerms } from "./moleculeFormat";

const c3 = (x: number | null) => (x === null ? "—" : fixed(x, 3));

export function ScoreBreakdown({ score }: { score: MoleculeScore }) {
  const { terms, total } = scoreTerms(score);
  const wsum = score.w_potency + score.w_efficiency + score.w_quality;
  return (
    <div className="score-breakdown" data-testid="score-breakdown">
      <TableScroll label="Score components">
      <table className="data small">
        <caption className="sr-only">Score components</caption>
        <thead>
          <tr>
            <th scope="col">Component</th>
            <th scope="col" className="num" title="Each component is between 0 and 1">
              Value
            </th>
            <th scope="col" className="num">
              Weight
            </th>
            <th scope="col" className="num">
              Points
            </th>
          </tr>
        </thead>
        <tbody>
          {terms.map((t) => (
            <tr key={t.key} data-testid={`term-${t.key}`}>
              <th scope="row">{t.label}</th>
              <td className="num">{c3(t.value)}</td>
              <td className="num">{fixed(t.weight, 2)}</td>
              <td className="num">{t.points === null ? "—" : fixed(t.points, 1)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td colSpan={2} />
            <td className="num" data-testid="score-total">
              <strong>{score.total === null ? "—" : fixed(score.total, 1)}</strong>
            </td>
          </tr>
        </tfoot>
      </table>
      </TableScroll>
      <p className="small formula" data-testid="score-formula">
        total = 100 × (wp·potency + we·efficiency + wq·quality) / (wp + we + wq)
        {total !== null && (
          <>
            <br />= 100 × ({fixed(score.w_potency, 2)} × {c3(score.potency)} + {fixed(score.w_efficiency, 2)} ×{" "}
            {c3(score.efficiency)} + {fixed(score.w_quality, 2)} × {c3(score.quality)}) / {fixed(wsum, 2)} ={" "}
            <strong>{fixed(total, 1)}</strong>
          </>
        )}
        {total === null && <><br />No usable activity: potency and efficiency are missing, so the molecule is unscored.</>}
      </p>
      <dl className="kv small">
        <div className="kv-row">
          <dt>Efficiency</dt>
          <dd>
            mean of the indices scaled to 0–1:{" "}
            {Object.entries(score.efficiency_terms)
              .map(([k, v]) => `${EFFICIENCY_TERM_LABELS[k] ?? k} ${fixed(v, 3)}`)
              .join(", ") || "—"}
          </dd>
        </div>
        <div className="kv-row">
          <dt>Quality</dt>
          <dd>
            1 − alert penalty {fixed(score.alert_penalty, 2)} − property penalty {fixed(score.property_penalty, 2)}
            {score.property_violations.length > 0 && ` (outside range: ${score.property_violations.join(", ")})`}
            , clipped to 0–1
          </dd>
        </div>
        {score.censored && (
          <div className="kv-row">
            <dt>Note</dt>
            <dd>the activity is censored (&lt; or &gt;): scored, but only a bound</dd>
          </div>
        )}
        {score.notes.map((n) => (
          <div className="kv-row" key={n}>
            <dt>Note</dt>
            <dd>{n}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
