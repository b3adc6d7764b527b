/**
 * One round of a campaign: its ranked batch (rank, formula, score, predicted mean ± σ per
 * objective, origin, result), a results form (a measured value per candidate, or the
 * shipped model's predictions as computed results) and the round's summary.
 */
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router-dom";
import { labelWithUnit, propertyLabel, PROPERTY_UNITS, unitSuffix } from "../../client/properties";
import { formatNumber, formatWithSigma } from "../../format/number";
import { Formula } from "../common/Formula";
import { ErrorBox } from "../common/Status";
import { TableScroll } from "../common/TableScroll";
import { ACTIVE_ROUND, recordResults, type BatchEntry, type Objective, type Round } from "./campaignApi";
import { buildResultValues } from "./campaignForm";
import { bestText } from "./CampaignList";

/** Where a candidate came from: "pasted: ZnO", "project item #4", "enumeration". */
export function originText(origin: BatchEntry["origin"]): string {
  const o = origin as { kind?: string; input?: string; item_id?: number };
  if (o.kind === "uploaded") return o.input ? `pasted: ${o.input}` : "pasted";
  if (o.kind === "project") return o.item_id ? `project item #${o.item_id}` : "project item";
  return o.kind ?? "—";
}

function resultText(e: BatchEntry, property: string): string | null {
  const r = e.results?.[property];
  if (!r) return null;
  const value = r.uncertainty ? formatWithSigma(r.value, r.uncertainty) : formatNumber(r.value);
  return `${value}${unitSuffix(property)} (${r.source})`;
}

export function RoundSummary({ round }: { round: Round }) {
  const s = round.summary as {
    n_pool?: number;
    n_available?: number;
    n_previously_chosen?: number;
    n_excluded?: number;
    excluded_reasons?: Record<string, number>;
    best_observed?: Record<string, number>;
    n_results?: number;
  };
  const reasons = Object.entries(s.excluded_reasons ?? {});
  const refit = Object.entries(round.refit as Record<string, { kind?: string }>);
  return (
    <dl className="kv round-summary" data-testid="round-summary">
      <div className="kv-row">
        <dt>Pool</dt>
        <dd data-testid="summary-pool">
          {s.n_pool ?? "—"} candidates, {s.n_available ?? "—"} available
          {s.n_previously_chosen ? `, ${s.n_previously_chosen} chosen or measured before` : ""}
        </dd>
      </div>
      <div className="kv-row">
        <dt>Excluded</dt>
        <dd data-testid="summary-excluded">
          {reasons.length === 0 ? "none" : reasons.map(([reason, n]) => `${reason}: ${n}`).join("; ")}
        </dd>
      </div>
      <div className="kv-row">
        <dt>Best observed (before this round)</dt>
        <dd data-testid="summary-best">{bestText(s.best_observed ?? {})}</dd>
      </div>
      <div className="kv-row">
        <dt>Refit on {s.n_results ?? 0} result{s.n_results === 1 ? "" : "s"}</dt>
        <dd>{refit.map(([p, r]) => `${propertyLabel(p)}: ${r.kind ?? "—"}`).join("; ") || "—"}</dd>
      </div>
    </dl>
  );
}

export function RoundView({
  projectId,
  campaignId,
  round,
  objectives,
  onChanged,
}: {
  projectId: number;
  campaignId: number;
  round: Round;
  objectives: Objective[];
  onChanged: () => void;
}) {
  const props = objectives.map((o) => o.property);
  const [inputs, setInputs] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (body: Parameters<typeof recordResults>[3]) => recordResults(projectId, campaignId, round.index, body),
    onSuccess: () => {
      setInputs({});
      onChanged();
    },
  });
  const active = ACTIVE_ROUND.has(round.status);
  const missing = round.batch.some((e) => props.some((p) => !e.results?.[p]));
  const labels: Record<string, string> = {};
  for (const e of round.batch) for (const p of props) labels[`${e.candidate_id}:${p}`] = `${e.formula}, ${propertyLabel(p)}`;
  const title = `round-${round.index}-title`;
  return (
    <section
      className="panel round"
      aria-labelledby={title}
      data-testid="round"
      data-index={round.index}
      data-status={round.status}
    >
      <div className="panel-head">
        <h2 id={title}>Round {round.index}</h2>
        <span className={`status-pill ${round.status}`} data-testid="round-status">
          {round.status}
        </span>
      </div>
      {round.job_id !== null && (
        <p className="muted small">
          <Link to={`/jobs/${round.job_id}`}>Job #{round.job_id}</Link> · started {new Date(round.created_at).toLocaleString()}
        </p>
      )}
      {round.error && <ErrorBox error={round.error} title="Round failed" />}
      {active && <p className="muted">Predicting and ranking the pool…</p>}
      {round.batch.length > 0 && (
        <form
          className="results-form"
          onSubmit={(e) => {
            e.preventDefault();
            const built = buildResultValues(inputs, labels);
            if ("error" in built) {
              setProblem(built.error);
              return;
            }
            setProblem(null);
            save.mutate({ source: "values", values: built.values });
          }}
        >
          <TableScroll label={`Ranked batch of round ${round.index}`}>
            <table className="data campaign-batch" data-testid="batch-table">
              <caption className="sr-only">Ranked batch of round {round.index}</caption>
              <thead>
                <tr>
                  <th scope="col" className="num">
                    Rank
                  </th>
                  <th scope="col">Formula</th>
                  <th scope="col" className="num">
                    Score
                  </th>
                  {props.map((p) => (
                    <th scope="col" className="num" key={p}>
                      Predicted {labelWithUnit(p)}
                    </th>
                  ))}
                  <th scope="col">Origin</th>
                  {props.map((p) => (
                    <th scope="col" key={p}>
                      Result: {labelWithUnit(p)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {round.batch.map((e) => (
                  <tr key={e.candidate_id} data-testid="batch-row" data-formula={e.formula} data-candidate={e.candidate_id}>
                    <td className="num">{e.rank}</td>
                    <td>
                      {e.material_id ? (
                        <Link to={`/materials/${e.material_id}`}>
                          <Formula formula={e.formula} />
                        </Link>
                      ) : (
                        <Formula formula={e.formula} />
                      )}
                    </td>
                    <td
                      className="num"
                      title={e.adjusted_score !== e.score ? `after the diversity penalty: ${formatNumber(e.adjusted_score)}` : undefined}
                    >
                      {formatNumber(e.score)}
                    </td>
                    {props.map((p) => (
                      <td className="num" key={p} data-testid="predicted">
                        {e.mean[p] === null || e.mean[p] === undefined ? "—" : formatWithSigma(e.mean[p], e.std[p])}
                      </td>
                    ))}
                    <td>{originText(e.origin)}</td>
                    {props.map((p) => {
                      const done = resultText(e, p);
                      const key = `${e.candidate_id}:${p}`;
                      return (
                        <td key={p} data-testid="result">
                          {done ?? (
                            <input
                              className="result-input"
                              inputMode="decimal"
                              aria-label={`Measured ${propertyLabel(p).toLowerCase()} of ${e.formula}${PROPERTY_UNITS[p] ? ` (${PROPERTY_UNITS[p]})` : ""}`}
                              value={inputs[key] ?? ""}
                              onChange={(ev) => setInputs((s) => ({ ...s, [key]: ev.target.value }))}
                            />
                          )}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          {missing && (
            <div className="button-row">
              <button type="submit" className="primary" disabled={save.isPending}>
                Save measured values
              </button>
              <button
                type="button"
                disabled={save.isPending}
                onClick={() => {
                  setProblem(null);
                  save.mutate({ source: "computed", values: [] });
                }}
              >
                Use model predictions (computed)
              </button>
            </div>
          )}
          <div aria-live="polite">
            {problem && <ErrorBox error={problem} />}
            {save.isError && <ErrorBox error={save.error} title="Results not saved" />}
            {save.isSuccess && (
              <p className="upload-result" data-testid="results-saved">
                Saved {save.data.recorded.length} result{save.data.recorded.length === 1 ? "" : "s"}
                {save.data.skipped.length ? `; skipped: ${save.data.skipped.join("; ")}` : ""}.
              </p>
            )}
          </div>
        </form>
      )}
      {!active && round.status === "succeeded" && <RoundSummary round={round} />}
    </section>
  );
}
