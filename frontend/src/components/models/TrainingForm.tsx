/**
 * Start a fine-tune of a shipped composition model on a project's measurements: project,
 * property and epochs (the server's defaults), more options folded away. The server
 * checks the rows before queuing anything; its 400 (no rows, constant values, a wrong
 * unit...) is shown next to the form.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router-dom";
import type { Job } from "../../client/api";
import { ALL_PROPERTIES, labelWithUnit } from "../../client/properties";
import { ErrorBox, Loading } from "../common/Status";
import { listProjects, projectKeys } from "../projects/projectApi";
import { NOT_FINETUNABLE, startTraining, TRAINING_DEFAULTS } from "./modelsApi";
import { VIEWER_REASON } from "./VersionActions";

export const FINETUNABLE = ALL_PROPERTIES.filter((p) => !NOT_FINETUNABLE.has(p));

/** A number field's value, or null when it is not a number in [min, max]. */
export function numberIn(text: string, min: number, max: number): number | null {
  const x = Number(text.trim());
  return text.trim() !== "" && Number.isFinite(x) && x >= min && x <= max ? x : null;
}

export function TrainingForm({
  canWrite,
  initialProject,
  onStarted,
}: {
  canWrite: boolean;
  initialProject: number | null;
  onStarted: (job: Job) => void;
}) {
  const projects = useQuery({ queryKey: projectKeys.all, queryFn: listProjects });
  const [projectId, setProjectId] = useState<string>(initialProject ? String(initialProject) : "");
  const [property, setProperty] = useState<string>("band_gap");
  const [epochs, setEpochs] = useState(String(TRAINING_DEFAULTS.epochs));
  const [weight, setWeight] = useState(String(TRAINING_DEFAULTS.user_weight));
  const [holdout, setHoldout] = useState(String(TRAINING_DEFAULTS.holdout_fraction * 100));
  const start = useMutation({
    mutationFn: startTraining,
    onSuccess: (job) => onStarted(job),
  });
  const items = projects.data?.items ?? [];
  const chosen = projectId || (items.length > 0 ? String(items[0].id) : "");
  const nEpochs = numberIn(epochs, 1, 200);
  const nWeight = numberIn(weight, 0.001, 1000);
  const nHoldout = numberIn(holdout, 5, 50);
  const valid = chosen !== "" && nEpochs !== null && Number.isInteger(nEpochs) && nWeight !== null && nHoldout !== null;

  if (projects.isPending) return <Loading label="Loading your projects…" />;
  if (projects.isError) return <ErrorBox error={projects.error} />;
  if (items.length === 0) {
    return (
      <p className="empty">
        Fine-tuning learns from the measurements of a project. <Link to="/projects">Create a project</Link> and upload
        your measured values there first.
      </p>
    );
  }
  return (
    <form
      className="training-form"
      data-testid="training-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!valid || !canWrite) return;
        start.mutate({
          ...TRAINING_DEFAULTS,
          project_id: Number(chosen),
          property,
          epochs: nEpochs,
          user_weight: nWeight,
          holdout_fraction: nHoldout / 100,
        });
      }}
    >
      <fieldset disabled={!canWrite || start.isPending}>
        <legend className="sr-only">Fine-tuning settings</legend>
        <div className="training-fields">
          <label className="wide">
            Measurements from project
            <select value={chosen} onChange={(e) => setProjectId(e.target.value)} data-testid="training-project">
              {items.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} ({p.n_measurements} measurement{p.n_measurements === 1 ? "" : "s"})
                </option>
              ))}
            </select>
          </label>
          <label>
            Property
            <select value={property} onChange={(e) => setProperty(e.target.value)} data-testid="training-property">
              {FINETUNABLE.map((p) => (
                <option key={p} value={p}>
                  {labelWithUnit(p)}
                </option>
              ))}
            </select>
          </label>
          <label>
            Epochs
            <input
              type="number"
              min={1}
              max={200}
              step={1}
              value={epochs}
              onChange={(e) => setEpochs(e.target.value)}
              aria-invalid={nEpochs === null || !Number.isInteger(nEpochs)}
              data-testid="training-epochs"
            />
          </label>
        </div>
        <details className="training-more">
          <summary>More options</summary>
          <div className="training-fields">
            <label>
              Weight of one of your rows
              <input
                type="number"
                min={0.001}
                max={1000}
                step="any"
                value={weight}
                onChange={(e) => setWeight(e.target.value)}
                aria-invalid={nWeight === null}
              />
              <span className="muted small">relative to one replayed reference row (default 10)</span>
            </label>
            <label>
              Held out for the comparison (%)
              <input
                type="number"
                min={5}
                max={50}
                step={1}
                value={holdout}
                onChange={(e) => setHoldout(e.target.value)}
                aria-invalid={nHoldout === null}
              />
              <span className="muted small">whole formulas, never trained on (default 20 %)</span>
            </label>
          </div>
        </details>
        <p className="muted small">
          Uses the project’s measurements of the property in its catalogue unit. The shipped model keeps training on
          them plus a replayed sample of its own training data; a share of your formulas is held out to compare the
          result with the shipped model before you decide to use it.
        </p>
        <button type="submit" className="primary" disabled={!valid} data-testid="start-training">
          {start.isPending ? "Starting…" : "Start fine-tuning"}
        </button>
      </fieldset>
      {!canWrite && <p className="muted small">{VIEWER_REASON}</p>}
      {start.isError && (
        <div data-testid="training-error">
          <ErrorBox error={start.error} title="Not started" />
        </div>
      )}
    </form>
  );
}
