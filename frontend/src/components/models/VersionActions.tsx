/**
 * Promote a version and roll a property back, each after a confirmation that says what
 * changes for the organisation's predictions; the page then says what predictions use now
 * (`ChangeNotice`). Viewers see the buttons disabled, with the reason.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { Link } from "react-router-dom";
import { propertyLabel } from "../../client/properties";
import { modelLabel } from "../../format/modelLabel";
import { ErrorBox } from "../common/Status";
import { modelKeys, promoteVersion, rollbackProperty, type ActiveModel, type ModelVersion } from "./modelsApi";

export const VIEWER_REASON = "Your role in this organisation is read-only (viewer): you can review models but not train, promote or roll back.";

const invalidate = (client: ReturnType<typeof useQueryClient>) => {
  void client.invalidateQueries({ queryKey: modelKeys.versions });
};

const labelOf = (v: Pick<ModelVersion, "name" | "version"> | null | undefined) =>
  v ? modelLabel(v.name, v.version) : "the shipped model";

/** A confirmation: what changes (``children``), then confirm (test id ``<testId>-button``)
 * or cancel. */
function Confirm({
  label,
  testId,
  confirm,
  cancel,
  pending,
  onConfirm,
  onCancel,
  children,
}: {
  label: string;
  testId: string;
  confirm: string;
  cancel: string;
  pending: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  return (
    <div className="confirm" role="group" aria-label={label} data-testid={testId}>
      {children}
      <div className="button-row">
        <button type="button" className="primary" onClick={onConfirm} disabled={pending} data-testid={`${testId}-button`}>
          {confirm}
        </button>
        <button type="button" onClick={onCancel} disabled={pending}>
          {cancel}
        </button>
      </div>
    </div>
  );
}

/** What a promotion or rollback changed. */
export interface ModelChange {
  action: "promoted" | "rolled back";
  property: string;
  now: Pick<ModelVersion, "name" | "version">;
}

/** What predictions of a property use after a change, and where to check it. */
export function ChangeNotice({ change }: { change: ModelChange }) {
  const prop = propertyLabel(change.property).toLowerCase();
  return (
    <p className="upload-result" role="status" data-testid="model-change">
      {change.action === "promoted" ? "Promoted" : "Rolled back"}: {prop} predictions of your organisation now use{" "}
      <strong data-testid="model-change-label">{labelOf(change.now)}</strong>. Try it:{" "}
      <Link to="/">predict a formula</Link> or use “Predict again” on a material; every prediction shows and records
      the model and version that made it.
    </p>
  );
}

export function PromoteButton({
  version,
  inUse,
  warnings,
  canWrite,
  onDone,
}: {
  version: ModelVersion;
  inUse: ModelVersion | null;
  warnings: string[];
  canWrite: boolean;
  onDone: (change: ModelChange) => void;
}) {
  const client = useQueryClient();
  const [asking, setAsking] = useState(false);
  const promote = useMutation({
    mutationFn: () => promoteVersion(version.id as number),
    onSuccess: (now) => {
      setAsking(false);
      invalidate(client);
      onDone({ action: "promoted", property: version.property, now });
    },
  });
  const prop = propertyLabel(version.property).toLowerCase();
  if (version.status === "active" || version.source !== "organization") return null;
  if (version.method !== "composition") {
    return (
      <p className="muted small">
        Predictions do not use fine-tuned structure models yet; download its weights from the API instead.
      </p>
    );
  }
  return (
    <div className="version-action">
      {!asking && (
        <button
          type="button"
          className="primary"
          disabled={!canWrite}
          title={canWrite ? undefined : VIEWER_REASON}
          onClick={() => setAsking(true)}
          data-testid="promote"
        >
          Promote version {version.number}…
        </button>
      )}
      {!canWrite && <p className="muted small">{VIEWER_REASON}</p>}
      {asking && (
        <Confirm
          label="Confirm the promotion"
          testId="confirm-promote"
          confirm={promote.isPending ? "Promoting…" : `Use version ${version.number} for predictions`}
          cancel="Keep the current model"
          pending={promote.isPending}
          onConfirm={() => promote.mutate()}
          onCancel={() => setAsking(false)}
        >
          <p>
            From the next prediction on, {prop} predictions of your organisation use{" "}
            <strong>{labelOf(version)}</strong> instead of <strong>{labelOf(inUse)}</strong>. Predictions already stored
            keep the version that made them, and you can roll back at any time.
          </p>
          {warnings.length > 0 && (
            <p className="warning small">
              {warnings.length === 1 ? "Note the warning above" : "Note the warnings above"}: {warnings[0]}
            </p>
          )}
        </Confirm>
      )}
      {promote.isError && <ErrorBox error={promote.error} title="Not promoted" />}
    </div>
  );
}

export function RollbackButton({
  property,
  active,
  canWrite,
  onDone,
}: {
  property: string;
  active: ModelVersion;
  canWrite: boolean;
  onDone: (change: ModelChange) => void;
}) {
  const client = useQueryClient();
  const [asking, setAsking] = useState(false);
  const rollback = useMutation({
    mutationFn: () => rollbackProperty(property),
    onSuccess: (now: ActiveModel) => {
      setAsking(false);
      invalidate(client);
      onDone({ action: "rolled back", property, now: now.version });
    },
  });
  const prop = propertyLabel(property).toLowerCase();
  return (
    <div className="version-action">
      {!asking && (
        <button
          type="button"
          disabled={!canWrite}
          title={canWrite ? undefined : VIEWER_REASON}
          onClick={() => setAsking(true)}
          data-testid="rollback"
        >
          Roll back {prop}…
        </button>
      )}
      {asking && (
        <Confirm
          label="Confirm the rollback"
          testId="confirm-rollback"
          confirm={rollback.isPending ? "Rolling back…" : "Roll back"}
          cancel="Keep it"
          pending={rollback.isPending}
          onConfirm={() => rollback.mutate()}
          onCancel={() => setAsking(false)}
        >
          <p>
            <strong>{labelOf(active)}</strong> is retired and {prop} predictions go back to the model it replaced (the
            shipped model if it replaced none), from the next prediction on. Stored predictions keep their version; you
            can promote this version again later.
          </p>
        </Confirm>
      )}
      {rollback.isError && <ErrorBox error={rollback.error} title="Not rolled back" />}
    </div>
  );
}
