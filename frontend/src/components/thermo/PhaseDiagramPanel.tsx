/**
 * The material page's phase-diagram panel: the convex hull of the material's chemical
 * system (Materials Project reference energies plus your predictions) drawn with Plotly
 * (loaded on demand, as on the models page), with this material marked by its energy
 * above the hull.
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef } from "react";
import { api, unwrap, type Material, type PhaseDiagram, type Stability } from "../../client/api";
import { useMaterialPredictions } from "../predictions/usePredictions";
import { ErrorBox, Loading } from "../common/Status";
import { diagramKind, materialMarker, phaseDiagramFigure, type Marker } from "./phaseDiagramPlot";

function usePhaseDiagram(chemsys: string, version: number | null, enabled: boolean) {
  return useQuery({
    // your predicted materials are on the diagram: refetch when this one's energy changes
    queryKey: ["phase-diagram", chemsys, version],
    queryFn: () => unwrap(api.GET("/api/v1/phase-diagram", { params: { query: { chemsys } } })),
    enabled,
    staleTime: 5 * 60_000,
    retry: false,
    placeholderData: (prev) => prev,
  });
}

function useStability(materialId: number, version: number | null, enabled: boolean) {
  return useQuery({
    queryKey: ["stability", materialId, version],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/materials/{material_id}/stability", {
          params: { path: { material_id: materialId } },
        }),
      ),
    enabled,
    staleTime: 5 * 60_000,
    retry: false,
  });
}

function PlotlyFigure({ diagram, marker }: { diagram: PhaseDiagram; marker: Marker }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const host = el.current;
    if (!host) return;
    let cancelled = false;
    const figure = phaseDiagramFigure(diagram, marker);
    void import("plotly.js-dist-min").then(({ default: Plotly }) => {
      if (cancelled) return;
      void Plotly.react(host, figure.data, figure.layout, { displaylogo: false, responsive: true });
    });
    return () => {
      cancelled = true;
    };
  }, [diagram, marker]);
  useEffect(() => {
    const host = el.current;
    return () => {
      if (host) void import("plotly.js-dist-min").then(({ default: P }) => P.purge(host));
    };
  }, []);
  const stable = diagram.stable.length;
  return (
    <div
      ref={el}
      className="phase-plot"
      data-testid="phase-diagram-plot"
      role="img"
      aria-label={`Phase diagram of ${diagram.chemsys}: ${diagram.entries.length} phases, ${stable} stable. ${marker.label}.`}
    />
  );
}

function StabilitySummary({ stability }: { stability: Stability }) {
  const dec = stability.decomposition
    .map((d) => `${d.formula} (${(d.fraction * 100).toFixed(0)} %)`)
    .join(" + ");
  return (
    <dl className="kv small" data-testid="stability">
      <dt>Energy above hull</dt>
      <dd>
        <strong>{stability.e_above_hull.toFixed(3)} eV/atom</strong>
        {stability.is_stable && <span className="chip include"> on the hull</span>}
        {stability.below_hull_by > 0 && ` (${stability.below_hull_by.toFixed(3)} eV/atom below the known hull)`}
      </dd>
      <dt>Formation energy</dt>
      <dd>
        {stability.formation_energy_per_atom.toFixed(3)} eV/atom{" "}
        <span className="muted">({stability.energy_source})</span>
      </dd>
      {!stability.is_stable && dec && (
        <>
          <dt>Decomposes to</dt>
          <dd>{dec}</dd>
        </>
      )}
    </dl>
  );
}

export function PhaseDiagramPanel({ material }: { material: Material }) {
  const kind = diagramKind(material.nelements);
  const plottable = kind === "binary" || kind === "ternary" || kind === "quaternary";
  const predictions = useMaterialPredictions(material);
  const formation = predictions.data?.latest.find((p) => p.property === "formation_energy");
  // a Materials Project entry has a stored energy; any other material needs a prediction
  const isReference = material.source_database === "materials_project";
  const version = formation?.id ?? null;
  const hasEnergy = isReference || formation !== undefined;
  const diagram = usePhaseDiagram(material.chemical_system, version, plottable);
  const stability = useStability(material.id, version, plottable && hasEnergy);
  const marker = useMemo(
    () => (diagram.data ? materialMarker(diagram.data, material, stability.data) : null),
    [diagram.data, material, stability.data],
  );

  let body;
  if (!plottable) {
    body = (
      <p className="muted" data-testid="phase-diagram-message">
        {kind === "unary"
          ? `${material.reduced_formula} has a single element: there is no phase diagram to draw.`
          : `Phase diagrams are drawn for systems of 2 to 4 elements; ${material.chemical_system} has ${material.nelements}.`}
      </p>
    );
  } else if (diagram.isPending) {
    body = <Loading label="Building the convex hull…" />;
  } else if (diagram.isError) {
    body = <ErrorBox error={diagram.error} title="Could not load the phase diagram" />;
  } else if (hasEnergy && stability.isPending) {
    body = <Loading label="Placing this material on the hull…" />;
  } else if (marker) {
    body = (
      <>
        <PlotlyFigure diagram={diagram.data} marker={marker} />
        {stability.data && <StabilitySummary stability={stability.data} />}
        {stability.isError && <ErrorBox error={stability.error} title="Could not place this material on the hull" />}
        {!hasEnergy && (
          <p className="muted small">
            {predictions.isPending
              ? "Checking for a formation energy…"
              : "This material has no formation energy yet, so only its composition is marked. Predict its properties to place it on the hull."}
          </p>
        )}
        <p className="muted small">
          Hull: {diagram.data.provenance.dataset} ({diagram.data.provenance.convention}),{" "}
          {diagram.data.entries.length} phases, {diagram.data.stable.length} stable.
        </p>
      </>
    );
  }
  return (
    <section className="panel phase-panel" aria-labelledby="phase-title" data-testid="phase-diagram-panel">
      <h2 id="phase-title">
        Phase diagram <span className="muted">{material.chemical_system}</span>
      </h2>
      {body}
    </section>
  );
}
