/**
 * Models: what the organisation's predictions use per property and its own fine-tuned
 * versions (status, comparison with the shipped model, Roll back); fine-tuning a model on
 * a project's measurements with live progress and learning curve; one version's review
 * (`?version=ID`: comparison side by side, held-out parity, Promote); the training runs
 * (`?job=ID` follows one); the shipped model cards.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef } from "react";
import { useSearchParams } from "react-router-dom";
import { useAuth } from "../auth/AuthGate";
import { api, unwrap } from "../client/api";
import { ALL_PROPERTIES } from "../client/properties";
import { ErrorBox, Loading } from "../components/common/Status";
import { isActive } from "../components/jobs/JobProgress";
import { groupVersions } from "../components/models/comparison";
import { listTrainingRuns, listVersions, modelKeys } from "../components/models/modelsApi";
import { ShippedModelCard } from "../components/models/ShippedModelCard";
import { TrainingForm } from "../components/models/TrainingForm";
import { TrainingRun } from "../components/models/TrainingRun";
import { TrainingRuns } from "../components/models/TrainingRuns";
import { VersionReview } from "../components/models/VersionReview";
import { YourModels } from "../components/models/YourModels";
import "../components/models/models.css";

const positive = (s: string | null) => {
  const n = Number(s);
  return s !== null && Number.isInteger(n) && n > 0 ? n : null;
};

export default function ModelsPage() {
  const client = useQueryClient();
  const [search, setSearch] = useSearchParams();
  const jobId = positive(search.get("job"));
  const versionId = positive(search.get("version"));
  const projectId = positive(search.get("project"));
  const { me } = useAuth();
  const canWrite = me?.role !== "viewer";

  const versions = useQuery({ queryKey: modelKeys.versions, queryFn: listVersions });
  // the runs list follows running runs (every 3 s while one is queued or running)
  const runs = useQuery({
    queryKey: modelKeys.runs,
    queryFn: listTrainingRuns,
    refetchInterval: (q) => (q.state.data?.some(isActive) ? 3000 : false),
  });
  const models = useQuery({ queryKey: ["models"], queryFn: () => unwrap(api.GET("/api/v1/models")) });
  const groups = versions.data ? groupVersions(versions.data.items, ALL_PROPERTIES) : [];
  const selected = versions.data?.items.find((v) => v.id === versionId) ?? null;
  const inUse = selected ? (groups.find((g) => g.property === selected.property)?.inUse ?? null) : null;

  const onVersion = useCallback(
    (id: number) => {
      setSearch(
        (s) => {
          const next = new URLSearchParams(s);
          next.set("version", String(id));
          return next;
        },
        { replace: true },
      );
    },
    [setSearch],
  );

  // a "Review" link (no run on the page) brings the review into view; a project's
  // "Fine-tune a model" link, the form
  const review = useRef<HTMLElement>(null);
  const train = useRef<HTMLElement>(null);
  useEffect(() => {
    if (versionId !== null && jobId === null) review.current?.scrollIntoView?.({ block: "start" });
    else if (projectId !== null && jobId === null) train.current?.scrollIntoView?.({ block: "start" });
  }, [versionId, jobId, projectId]);

  return (
    <div className="page models-page">
      <h1>Models</h1>
      <p className="muted">
        Every prediction records the model name and version that made it. Uncertainties are calibrated on held-out data
        so the stated 95 % intervals cover what they claim. Fine-tune a shipped model on your own measurements, compare
        it with the shipped one, and choose which one your organisation’s predictions use.
      </p>

      <section className="panel" aria-labelledby="yours-title" data-testid="your-models">
        <h2 id="yours-title">Your models</h2>
        {versions.isPending && <Loading />}
        {versions.isError && <ErrorBox error={versions.error} />}
        {versions.data && <YourModels groups={groups} selected={versionId} canWrite={canWrite} />}
      </section>

      <section className="panel" aria-labelledby="train-title" id="train" ref={train} data-testid="train-section">
        <h2 id="train-title">Fine-tune on your measurements</h2>
        <TrainingForm
          canWrite={canWrite}
          initialProject={projectId}
          onStarted={(job) => {
            void client.invalidateQueries({ queryKey: modelKeys.runs });
            setSearch(new URLSearchParams({ job: String(job.id) }));
          }}
        />
        {jobId !== null && <TrainingRun key={jobId} jobId={jobId} canWrite={canWrite} onVersion={onVersion} />}
      </section>

      {versionId !== null && (
        <section className="panel" aria-labelledby="review-title" ref={review} data-testid="review-section">
          <VersionReview key={versionId} versionId={versionId} inUse={inUse} canWrite={canWrite} />
        </section>
      )}

      <section className="panel" aria-labelledby="runs-title">
        <h2 id="runs-title">Training runs</h2>
        {runs.isPending && <Loading />}
        {runs.isError && <ErrorBox error={runs.error} />}
        {runs.data && <TrainingRuns runs={runs.data} current={jobId} />}
      </section>

      <h2 className="shipped-title">Shipped models</h2>
      {models.isPending && <Loading />}
      {models.isError && <ErrorBox error={models.error} />}
      {models.data && models.data.length === 0 && <p className="empty">No models are installed yet.</p>}
      {models.data?.map((m) => <ShippedModelCard key={`${m.name}-${m.version}`} card={m} />)}
    </div>
  );
}
