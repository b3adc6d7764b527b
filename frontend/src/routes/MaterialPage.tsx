/**
 * One material: 3D viewer, metadata and downloads, predicted property cards with history,
 * the phase diagram of its chemical system with it marked, and similar materials.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useParams } from "react-router-dom";
import { api, structureUrl, unwrap, type Material } from "../client/api";
import { fmt } from "../client/properties";
import { databaseName } from "../client/sources";
import { DownloadLink } from "../components/common/DownloadLink";
import { ErrorBox, Loading } from "../components/common/Status";
import { KnownMatchNote } from "../components/compounds/KnownMatchNote";
import { SourceLink } from "../components/compounds/SourceLinks";
import { PredictionHistory } from "../components/predictions/PredictionHistory";
import { PropertyCards } from "../components/predictions/PropertyCard";
import { useMaterialPredictions } from "../components/predictions/usePredictions";
import { SimilarMaterials } from "../components/similarity/SimilarMaterials";
import { PhaseDiagramPanel } from "../components/thermo/PhaseDiagramPanel";
import { ViewerPanel } from "../components/viewer/ViewerPanel";

/** Only a material with sites has a structure to draw and download. */
function hasStructure(m: Material): boolean {
  return (m.nsites ?? 0) > 0;
}

const SOURCE_NAMES: Record<string, string> = { upload: "your upload", batch: "a batch job", reference: "reference data" };

const compoundPath = (formula: string) => `/compounds/${encodeURIComponent(formula)}`;

/** Where a material comes from: a reference entry as the API's readable, citable label
 * (`source_label`, linked to `source_url` where the source has a page); an upload or batch
 * row with its file name. */
export function SourceText({ m }: { m: Material }) {
  const label = m.source_label ?? m.source_id;
  if (m.is_reference && label) {
    return (
      <>
        {databaseName(m.source_database)} · <SourceLink id={label} url={m.source_url ?? null} />
      </>
    );
  }
  return (
    <>
      {m.is_reference ? databaseName(m.source_database) : SOURCE_NAMES[m.source] ?? m.source}
      {m.filename && <span className="muted"> · {m.filename}</span>}
    </>
  );
}

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
        <dd data-testid="material-source">
          <SourceText m={m} />
        </dd>
        {m.is_reference && (
          <>
            <dt>Compound</dt>
            <dd>
              <Link to={compoundPath(m.reduced_formula)} data-testid="compound-link">
                {m.reduced_formula}: all reference values and structures
              </Link>
            </dd>
          </>
        )}
        {m.known_match && (
          <>
            <dt>Known compounds</dt>
            <dd>
              <KnownMatchNote match={m.known_match} formula={m.reduced_formula} />
            </dd>
          </>
        )}
        {m.duplicate_of != null && (
          <>
            <dt>Duplicate</dt>
            <dd data-testid="duplicate-of">
              Duplicate of <Link to={`/materials/${m.duplicate_of}`}>#{m.duplicate_of}</Link>
            </dd>
          </>
        )}
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
      {hasStructure(m) && (
        <>
          <h3>Download</h3>
          <div className="button-row" data-testid="downloads">
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
        </>
      )}
    </section>
  );
}

function Predictions({ m }: { m: Material }) {
  const queryClient = useQueryClient();
  const predictions = useMaterialPredictions(m);
  const predict = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/predictions", { body: { material_id: m.id, relax: false } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["predictions", m.id] }),
  });
  const latest = predictions.data?.latest ?? [];
  // a spinner only while the server says an automatic prediction is queued or running
  const waiting = latest.length === 0 && (predictions.data?.pending ?? false) && !predict.isPending;
  const label = latest.length > 0 ? "Predict again" : "Predict";
  return (
    <section className="panel" aria-labelledby="pred-title">
      <div className="panel-head">
        <h2 id="pred-title">Predicted properties</h2>
        <button
          type="button"
          className={latest.length === 0 && !waiting ? "primary" : undefined}
          onClick={() => predict.mutate()}
          disabled={predict.isPending}
          data-testid="predict-material"
        >
          {predict.isPending ? "Predicting…" : label}
        </button>
      </div>
      {predict.isError && <ErrorBox error={predict.error} title="Prediction failed" />}
      {predictions.isPending && <Loading />}
      {predictions.isError && <ErrorBox error={predictions.error} />}
      {predictions.data && latest.length === 0 &&
        (waiting ? (
          <Loading label="Predicting all properties… (usually a few seconds)" />
        ) : (
          <p className="muted" data-testid="no-predictions">
            {m.is_reference
              ? "This is a reference entry; its known values are on the compound page. Use “Predict” to compare the models with them."
              : "No predictions yet. Use “Predict” to run them."}
          </p>
        ))}
      {latest.length > 0 && <PropertyCards predictions={latest} />}
      {predictions.data && predictions.data.history.length > latest.length && (
        <details className="history" data-testid="prediction-history">
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
          {m.is_reference && (
            <>
              {" · reference entry · "}
              <Link to={compoundPath(m.reduced_formula)}>compound page</Link>
            </>
          )}
        </p>
      </header>
      <div className="material-grid">
        {hasStructure(m) ? (
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
