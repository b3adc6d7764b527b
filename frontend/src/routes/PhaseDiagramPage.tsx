/**
 * Stand-alone phase diagram of a chemical system: /phase-diagram?chemsys=Li-Fe-O. Pick 2–4
 * elements (periodic table or typed), optionally leave out your own predicted phases
 * (`own=0` in the address). The hull is the server's (`GET /api/v1/phase-diagram`).
 */
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router-dom";
import { api, unwrap } from "../client/api";
import { ErrorBox, Loading } from "../components/common/Status";
import { ELEMENT_SYMBOLS, PeriodicTable, type ElementState } from "../components/materials/PeriodicTable";
import { PhaseDiagramFigure } from "../components/thermo/PhaseDiagramFigure";

/** Elements of "Li-Fe-O", "Li Fe O" or "LiFeO" (sorted, unique) or an error message. */
export function parseChemsys(text: string): { elements: string[]; error: string | null } {
  const tokens = text.match(/[A-Z][a-z]?|[a-z]+/g) ?? [];
  const bad = tokens.filter((t) => !ELEMENT_SYMBOLS.has(t));
  if (bad.length) return { elements: [], error: `Not an element: ${bad.join(", ")}` };
  const elements = [...new Set(tokens)].sort();
  if (elements.length < 2 || elements.length > 4) {
    return { elements, error: `Choose 2 to 4 elements (${elements.length} chosen).` };
  }
  return { elements, error: null };
}

export default function PhaseDiagramPage() {
  const [params, setParams] = useSearchParams();
  const chemsys = params.get("chemsys") ?? "";
  const includeOwn = params.get("own") !== "0";
  const parsed = parseChemsys(chemsys);
  const [draft, setDraft] = useState(chemsys);
  const [draftError, setDraftError] = useState<string | null>(null);
  const valid = chemsys !== "" && parsed.error === null;
  const query = parsed.elements.join("-");
  const diagram = useQuery({
    queryKey: ["phase-diagram", query, null],
    queryFn: () => unwrap(api.GET("/api/v1/phase-diagram", { params: { query: { chemsys: query } } })),
    enabled: valid,
    retry: false,
    staleTime: 5 * 60_000,
  });
  const go = (elements: string[], own = includeOwn) => {
    const next = new URLSearchParams();
    if (elements.length) next.set("chemsys", elements.join("-"));
    if (!own) next.set("own", "0");
    setParams(next);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const p = parseChemsys(draft);
    setDraftError(p.error);
    if (!p.error) go(p.elements);
  };
  const picked: Record<string, ElementState> = Object.fromEntries(
    parseChemsys(draft).elements.map((el) => [el, "include" as const]),
  );
  const pick = (next: Record<string, ElementState>) => {
    const els = Object.entries(next)
      .filter(([, s]) => s === "include")
      .map(([el]) => el)
      .sort();
    const text = els.join("-");
    setDraft(text);
    const p = parseChemsys(text);
    setDraftError(els.length > 4 ? p.error : null);
    if (!p.error) go(p.elements);
  };
  return (
    <div className="page">
      <h1>Phase diagrams</h1>
      <p className="muted">
        The convex hull of a chemical system from the Materials Project reference formation
        energies{includeOwn ? " and your materials with a predicted formation energy" : ""}.
        Stable phases are labelled; hover over any point for its name and energies.
      </p>
      <form className="pd-pickers" onSubmit={submit} noValidate>
        <label>
          Chemical system{" "}
          <input
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder="Li-Fe-O"
            aria-invalid={draftError !== null}
            aria-describedby={draftError ? "chemsys-error" : undefined}
            data-testid="chemsys-input"
          />
        </label>
        <button type="submit" className="primary">
          Draw
        </button>
        <label>
          <input type="checkbox" checked={includeOwn} onChange={(e) => go(parsed.elements, e.target.checked)} /> Include my
          predicted phases
        </label>
        {draftError && (
          <p className="error small" id="chemsys-error" role="alert">
            {draftError}
          </p>
        )}
      </form>
      <details className="panel" open={!valid}>
        <summary>Pick elements</summary>
        <p className="small muted">Click 2 to 4 elements; the diagram updates once the system is valid.</p>
        <PeriodicTable value={picked} onChange={pick} />
      </details>
      {chemsys !== "" && parsed.error && <ErrorBox error={new Error(parsed.error)} title="Cannot draw this system" />}
      {valid && (
        <section className="panel" aria-labelledby="pd-title" data-testid="phase-diagram-panel">
          <h2 id="pd-title">{query}</h2>
          {diagram.isPending && <Loading label="Building the convex hull…" />}
          {diagram.isError && <ErrorBox error={diagram.error} title="Could not load the phase diagram" />}
          {diagram.data && (
            <>
              <PhaseDiagramFigure diagram={diagram.data} marker={null} includePredicted={includeOwn} />
              <p className="muted small">
                Hull: {diagram.data.provenance.dataset} ({diagram.data.provenance.convention}),{" "}
                {diagram.data.entries.length} phases, {diagram.data.stable.length} stable.
              </p>
            </>
          )}
        </section>
      )}
    </div>
  );
}
