/** Start a campaign in a project: one objective, the acquisition, κ, batch size and the pool. */
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { ALL_PROPERTIES, labelWithUnit, PROPERTY_UNITS } from "../../client/properties";
import { ErrorBox } from "../common/Status";
import { createCampaign, type Campaign } from "./campaignApi";
import {
  ACQUISITIONS,
  buildCampaignRequest,
  INITIAL_FORM,
  poolLines,
  type CampaignFormState,
  type Direction,
  type PoolChoice,
} from "./campaignForm";

export function CampaignCreateForm({
  projectId,
  nItems,
  onCreated,
}: {
  projectId: number;
  /** the project's items (a pool of "this project's items") */
  nItems: number;
  onCreated: (c: Campaign) => void;
}) {
  const [form, setForm] = useState<CampaignFormState>(INITIAL_FORM);
  const [problem, setProblem] = useState<string | null>(null);
  const set = <K extends keyof CampaignFormState>(key: K, value: CampaignFormState[K]) =>
    setForm((f) => ({ ...f, [key]: value }));
  const create = useMutation({
    mutationFn: (body: Parameters<typeof createCampaign>[1]) => createCampaign(projectId, body),
    onSuccess: (c) => {
      setForm(INITIAL_FORM);
      onCreated(c);
    },
  });
  const unit = PROPERTY_UNITS[form.property];
  const n = poolLines(form.formulas).length;
  return (
    <form
      className="campaign-form"
      aria-labelledby="new-campaign-title"
      data-testid="campaign-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const built = buildCampaignRequest(form);
        if ("error" in built) {
          setProblem(built.error);
          create.reset();
          return;
        }
        setProblem(null);
        create.mutate(built.body);
      }}
    >
      <h3 id="new-campaign-title">New campaign</h3>
      <div className="campaign-fields">
        <label>
          Campaign name
          <input value={form.name} onChange={(e) => set("name", e.target.value)} maxLength={200} required />
        </label>
        <label>
          Objective property
          <select value={form.property} onChange={(e) => set("property", e.target.value)}>
            {ALL_PROPERTIES.map((k) => (
              <option key={k} value={k}>
                {labelWithUnit(k)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Direction
          <select value={form.direction} onChange={(e) => set("direction", e.target.value as Direction)}>
            <option value="max">Maximise</option>
            <option value="min">Minimise</option>
            <option value="window">Target window</option>
          </select>
        </label>
        {form.direction === "window" && (
          <>
            <label>
              Window min{unit ? ` (${unit})` : ""}
              <input inputMode="decimal" value={form.min} onChange={(e) => set("min", e.target.value)} />
            </label>
            <label>
              Window max{unit ? ` (${unit})` : ""}
              <input inputMode="decimal" value={form.max} onChange={(e) => set("max", e.target.value)} />
            </label>
          </>
        )}
        <label>
          Acquisition
          <select value={form.acquisition} onChange={(e) => set("acquisition", e.target.value as CampaignFormState["acquisition"])}>
            {ACQUISITIONS.map((a) => (
              <option key={a.value} value={a.value}>
                {a.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          κ (in σ)
          <input inputMode="decimal" value={form.kappa} onChange={(e) => set("kappa", e.target.value)} />
        </label>
        <label>
          Batch size
          <input inputMode="numeric" value={form.batchSize} onChange={(e) => set("batchSize", e.target.value)} />
        </label>
        <label>
          Diversity penalty
          <input inputMode="decimal" value={form.diversity} onChange={(e) => set("diversity", e.target.value)} />
        </label>
      </div>
      <fieldset className="pool-choice">
        <legend>Candidate pool</legend>
        <label className="checkbox">
          <input
            type="radio"
            name="pool"
            value="pasted"
            checked={form.pool === "pasted"}
            onChange={() => set("pool", "pasted" as PoolChoice)}
          />
          Pasted formulas
        </label>
        <label className="checkbox">
          <input
            type="radio"
            name="pool"
            value="project"
            checked={form.pool === "project"}
            onChange={() => set("pool", "project" as PoolChoice)}
          />
          This project's items ({nItems})
        </label>
        {form.pool === "pasted" && (
          <label className="pool-text">
            Formulas, one per line (or CSV with a formula column)
            <textarea
              value={form.formulas}
              onChange={(e) => set("formulas", e.target.value)}
              rows={5}
              placeholder={"ZnO\nGaN\nTiO2"}
              data-testid="pool-formulas"
            />
            <span className="muted small" data-testid="pool-count">
              {n} line{n === 1 ? "" : "s"}
            </span>
          </label>
        )}
      </fieldset>
      <div>
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create campaign"}
        </button>
      </div>
      <div aria-live="polite" data-testid="campaign-form-error">
        {problem && <ErrorBox error={problem} />}
        {create.isError && <ErrorBox error={create.error} title="Not created" />}
      </div>
    </form>
  );
}
