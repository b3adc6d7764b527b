/**
 * The material page's phase-diagram panel: the convex hull of the material's chemical
 * system (Materials Project reference energies plus your predictions) drawn as SVG
 * (`PhaseDiagramFigure`), with this material marked by its energy above the hull.
 */
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { Link } from "react-router-dom";
import { api, unwrap, type Material, type Stability } from "../../client/api";
import { useMaterialPredictions } from "../predictions/usePredictions";
import { ErrorBox, Loading } from "../common/Status";
import { fixed } from "../../format/number";
import { PhaseDiagramFigure } from "./PhaseDiagramFigure";
import { diagramKind, materialMarker, stabilityBadge } from "./phaseDiagramPlot";

export function usePhaseDiagram(chemsys: string, version: number | null, enabled: boolean) {
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

function StabilitySummary({ stability }: { stability: Stability }) {
  const dec = stability.decomposition
    .map((d) => `${d.formula} (${(d.fraction * 100).toFixed(0)} %)`)
    .join(" + ");
  const badge = stabilityBadge(stability);
  return (
    <dl className="kv small" data-testid="stability">
      <dt>Energy above hull</dt>
      <dd>
        <strong data-testid="stability-e-above-hull">{fixed(stability.e_above_hull, 3)} eV/atom</strong>{" "}
        <span className={`chip hull-${badge.kind}`} data-testid="hull-badge">
          {badge.text}
        </span>
      </dd>
      <dt>Formation energy</dt>
      <dd>
        {fixed(stability.formation_energy_per_atom, 3)} eV/atom{" "}
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
        <PhaseDiagramFigure diagram={diagram.data} marker={marker} />
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
          {diagram.data.entries.length} phases, {diagram.data.stable.length} stable.{" "}
          <Link to={`/phase-diagram?chemsys=${encodeURIComponent(material.chemical_system)}`}>
            Open the {material.chemical_system} phase diagram
          </Link>
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
