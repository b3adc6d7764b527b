/**
 * One material: 3D viewer, metadata and downloads, predicted property cards with history,
 * the phase diagram of its chemical system with it marked, and similar materials.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useParams } from "react-router-dom";
import { api, structureUrl, unwrap, type Material } from "../client/api";
import { fmt } from "../client/properties";
import { DownloadLink } from "../components/common/DownloadLink";
import { ErrorBox, Loading } from "../components/common/Status";
import { PredictionHistory } from "../components/predictions/PredictionHistory";
import { PropertyCards } from "../components/predictions/PropertyCard";
import { AUTO_PREDICTION_WAIT, useMaterialPredictions } from "../components/predictions/usePredictions";
import { SimilarMaterials } from "../components/similarity/SimilarMaterials";
import { PhaseDiagramPanel } from "../components/thermo/PhaseDiagramPanel";
import { ViewerPanel } from "../components/viewer/ViewerPanel";

function Metadata({ m }: { m: Material }) {
  const l = m.lattice;
  return (
    <section className="panel" aria-labelledby="meta-title">
      <h2 id="meta-title">Details</h2>
      <dl className="kv" data-testid="metadata">
        <dt>Formula</dt>
        <dd>
          {m.formula} <span className="muted">({m.reduced_formula})</span>
        </dd>
        <dt>Space group</dt>
        <dd>
          {m.space_group_symbol ?? "—"}
          {m.space_group_number && <span className="muted"> (No. {m.space_group_number})</span>}
        </dd>
        <dt>Crystal system</dt>
        <dd>{m.crystal_system ?? "—"}</dd>
        {l && (
          <>
            <dt>a, b, c</dt>
            <dd>
              {fmt(l.a, 4)}, {fmt(l.b, 4)}, {fmt(l.c, 4)} Å
            </dd>
            <dt>α, β, γ</dt>
            <dd>
              {fmt(l.alpha, 4)}°, {fmt(l.beta, 4)}°, {fmt(l.gamma, 4)}°
            </dd>
          </>
        )}
        <dt>Volume</dt>
        <dd>{m.volume !== null ? `${fmt(m.volume, 4)} Å³` : "—"}</dd>
        <dt>Density</dt>
        <dd>{m.density !== null ? `${fmt(m.density, 4)} g/cm³` : "—"}</dd>
        <dt>Sites</dt>
        <dd>
          {m.nsites ?? "—"}
          {!m.is_ordered && <span className="muted"> (partially occupied)</span>}
        </dd>
        <dt>Source</dt>
        <dd>
          {m.source}
          {m.source_database && ` · ${m.source_database}`}
          {m.source_id && ` ${m.source_id}`}
          {m.filename && <span className="muted"> · {m.filename}</span>}
        </dd>
        <dt>Added</dt>
        <dd>{new Date(m.created_at).toLocaleString()}</dd>
      </dl>
      {m.warnings.length > 0 && (
        <ul className="warnings small">
          {m.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      <h3>Download</h3>
      <div className="button-row">
        <DownloadLink url={structureUrl(m.id, "cif")} filename={`${m.reduced_formula}_${m.id}.cif`}>
          CIF
        </DownloadLink>
        <DownloadLink url={structureUrl(m.id, "poscar")} filename={`${m.reduced_formula}_${m.id}.vasp`}>
          POSCAR
        </DownloadLink>
        <DownloadLink url={structureUrl(m.id, "json")} filename={`${m.reduced_formula}_${m.id}.json`}>
          JSON
        </DownloadLink>
      </div>
    </section>
  );
}

function Predictions({ m }: { m: Material }) {
  const queryClient = useQueryClient();
  const age = Date.now() - new Date(m.created_at).getTime();
  const predictions = useMaterialPredictions(m);
  const again = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/predictions", { body: { material_id: m.id, relax: false } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["predictions", m.id] }),
  });
  const latest = predictions.data?.latest ?? [];
  const waiting = latest.length === 0 && age < AUTO_PREDICTION_WAIT;
  return (
    <section className="panel" aria-labelledby="pred-title">
      <div className="panel-head">
        <h2 id="pred-title">Predicted properties</h2>
        <button
          type="button"
          onClick={() => again.mutate()}
          disabled={again.isPending}
        >
          {again.isPending ? "Predicting…" : "Predict again"}
        </button>
      </div>
      {again.isError && <ErrorBox error={again.error} title="Prediction failed" />}
      {predictions.isPending && <Loading />}
      {predictions.isError && <ErrorBox error={predictions.error} />}
      {predictions.data && latest.length === 0 &&
        (waiting ? (
          <Loading label="Predicting all properties… (usually a few seconds)" />
        ) : (
          <p className="muted">No predictions yet. Use “Predict again” to run them.</p>
        ))}
      {latest.length > 0 && <PropertyCards predictions={latest} />}
      {predictions.data && predictions.data.history.length > latest.length && (
        <details className="history">
          <summary>Prediction history ({predictions.data.history.length})</summary>
          <PredictionHistory history={predictions.data.history} />
        </details>
      )}
    </section>
  );
}

export function MaterialPage() {
  const { id } = useParams();
  const materialId = Number(id);
  const material = useQuery({
    queryKey: ["material", materialId],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/materials/{material_id}", {
          params: { path: { material_id: materialId } },
        }),
      ),
    enabled: Number.isInteger(materialId) && materialId > 0,
  });
  if (!Number.isInteger(materialId) || materialId <= 0) {
    return <ErrorBox error={`"${id}" is not a material id`} />;
  }
  if (material.isPending) return <Loading />;
  if (material.isError) return <ErrorBox error={material.error} title="Could not load material" />;
  const m = material.data;
  return (
    <div className="page material-page">
      <header className="page-head">
        <h1>
          <span data-testid="material-formula">{m.reduced_formula}</span>{" "}
          <span className="muted">#{m.id}</span>
        </h1>
        <p className="muted">
          {m.space_group_symbol && `${m.space_group_symbol} · `}
          {m.crystal_system && `${m.crystal_system} · `}
          {m.chemical_system}
          {m.is_reference && " · reference entry"}
        </p>
      </header>
      <div className="material-grid">
        {m.nsites ? (
          <ViewerPanel materialId={m.id} formula={m.reduced_formula} />
        ) : (
          <section className="panel">
            <h2>Structure</h2>
            <p className="muted">This entry has a composition only; there is no structure to show.</p>
          </section>
        )}
        <Metadata m={m} />
      </div>
      <Predictions m={m} />
      <div className="material-grid-2">
        <PhaseDiagramPanel material={m} />
        <SimilarMaterials material={m} />
      </div>
    </div>
  );
}
