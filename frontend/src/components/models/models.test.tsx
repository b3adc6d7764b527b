import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GET, POST, calls, postRoutes, renderWithClient, resetApi, routes } from "../../test/mockApi";
import { groupVersions } from "./comparison";
import type { ModelVersion } from "./modelsApi";
import { TrainingForm } from "./TrainingForm";
import { VersionReview } from "./VersionReview";
import { YourModels } from "./YourModels";

vi.mock("../../client/api", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../client/api")>()),
  api: {
    GET: (...args: Parameters<typeof GET>) => GET(...args),
    POST: (...args: Parameters<typeof POST>) => POST(...args),
  },
}));

beforeEach(resetApi);
afterEach(cleanup);

const VERSION = "/api/v1/models/versions/{version_id}";
const PROMOTE = "/api/v1/models/versions/{version_id}/promote";
const ROLLBACK = "/api/v1/models/{property}/rollback";

const SHIPPED: ModelVersion = {
  source: "shipped",
  name: "mlp-ens5-mp_gap-2026.11-band_gap",
  property: "band_gap",
  method: "composition",
  unit: "eV",
  version: "1.0.0",
  status: "shipped",
  in_use: true,
};

const candidate = (over: Partial<ModelVersion> = {}): ModelVersion => ({
  id: 7,
  number: 1,
  source: "organization",
  name: "mlp-ens5-mp_gap-2026.11-band_gap-ft",
  property: "band_gap",
  method: "composition",
  unit: "eV",
  version: "1.0.0+ft.7",
  status: "candidate",
  in_use: false,
  base_name: SHIPPED.name,
  base_version: "1.0.0",
  job_id: 31,
  created_at: "2026-12-08T10:00:00Z",
  metrics: {
    holdout: {
      rows: 40,
      shipped: { n: 40, mae: 0.478, rmse: 1.0, coverage95: 0.85 },
      candidate: { n: 40, mae: 0.415, rmse: 0.94, coverage95: 0.95 },
    },
    shipped_test: {
      rows: 21166,
      table: "mp_gap",
      shipped: { n: 21166, mae: 0.301, rmse: 0.62, coverage95: 0.95 },
      candidate: { n: 21166, mae: 0.32, rmse: 0.64, coverage95: 0.94 },
    },
    holdout_points: [
      { formula: "GaN", measured: 3.4, shipped: 2.9, candidate: 3.2 },
      { formula: "ZnO", measured: 3.3, shipped: 2.6, candidate: 3.0 },
    ],
  },
  card: {
    mlflow_run_id: "0123abcd",
    source: { project_id: 5 },
    training_data: { group_rows: 200, group_rows_train: 160, group_rows_held_out: 40, replay_rows: 3000 },
    hyperparameters: { epochs: 12, user_weight: 10, holdout_fraction: 0.2, seed: 0 },
    learning_curve: [
      { epoch: 1, epochs: 2, train_loss: 0.4, holdout_mae: 0.5, seconds: 1 },
      { epoch: 2, epochs: 2, train_loss: 0.3, holdout_mae: 0.45, seconds: 1 },
    ],
  },
  ...over,
});

describe("VersionReview", () => {
  it("shows both comparisons side by side, warns where the candidate is worse, and promotes after confirming", async () => {
    const v = candidate();
    routes.set(VERSION, () => ({ status: 200, body: v }));
    postRoutes.set(PROMOTE, () => ({ status: 200, body: { ...v, status: "active", in_use: true } }));
    renderWithClient(<VersionReview versionId={7} inUse={SHIPPED} canWrite />);
    await screen.findByTestId("version-review");
    const parts = screen.getAllByTestId("comparison-part");
    expect(parts.map((p) => p.dataset.part)).toEqual(["holdout", "shipped_test"]);
    const mae = within(parts[0]).getByText("MAE").closest("tr") as HTMLElement;
    expect(within(mae).getByTestId("shipped-value").textContent).toBe("0.478 eV");
    expect(within(mae).getByTestId("candidate-value").textContent).toBe("0.415 eV");
    expect(screen.getByTestId("comparison-warnings").textContent).toContain(
      "worse than the shipped model on the shipped test split: MAE 0.32 eV vs 0.301 eV",
    );
    expect(screen.getByTestId("mlflow-run").textContent).toBe("0123abcd");
    expect(screen.getByTestId("holdout-parity").dataset.points).toBe("2");
    expect(screen.getByTestId("learning-curve").dataset.epochs).toBe("2");

    fireEvent.click(screen.getByTestId("promote"));
    const confirm = screen.getByTestId("confirm-promote");
    expect(confirm.textContent).toContain("Composition ensemble v1, fine-tuned (1.0.0+ft.7)");
    expect(confirm.textContent).toContain("instead of Composition ensemble v1");
    expect(calls.some((c) => c.path === PROMOTE)).toBe(false); // nothing before confirming
    fireEvent.click(screen.getByTestId("confirm-promote-button"));
    const notice = await screen.findByTestId("model-change");
    expect(notice.textContent).toContain("Promoted: band gap predictions of your organisation now use");
    expect(screen.getByTestId("model-change-label").textContent).toBe("Composition ensemble v1, fine-tuned (1.0.0+ft.7)");
    expect(calls.find((c) => c.path === PROMOTE)?.params.path).toEqual({ version_id: 7 });
  });

  it("says the candidate is better when its MAE is lower on both", async () => {
    const v = candidate();
    const metrics = v.metrics as Record<string, { candidate: { mae: number } }>;
    metrics.shipped_test.candidate.mae = 0.29;
    routes.set(VERSION, () => ({ status: 200, body: v }));
    renderWithClient(<VersionReview versionId={7} inUse={SHIPPED} canWrite />);
    expect((await screen.findByTestId("verdict")).textContent).toContain("Lower MAE than the shipped model");
    expect(screen.queryByTestId("comparison-warnings")).toBeNull();
  });

  it("shows a viewer the promote button disabled, with the reason", async () => {
    routes.set(VERSION, () => ({ status: 200, body: candidate() }));
    renderWithClient(<VersionReview versionId={7} inUse={SHIPPED} canWrite={false} />);
    const button = (await screen.findByTestId("promote")) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(screen.getByText(/read-only \(viewer\)/)).toBeTruthy();
  });
});

describe("YourModels", () => {
  it("lists versions with what predictions use and rolls back after confirming", async () => {
    const active = candidate({ status: "active", in_use: true });
    postRoutes.set(ROLLBACK, () => ({ status: 200, body: { property: "band_gap", version: SHIPPED } }));
    const groups = groupVersions([active, { ...SHIPPED, in_use: false }], ["band_gap"]);
    renderWithClient(<YourModels groups={groups} selected={7} canWrite />);
    expect(screen.getByTestId("in-use").textContent).toBe("Composition ensemble v1, fine-tuned (1.0.0+ft.7)");
    const rows = screen.getAllByTestId("version-row");
    expect(rows.map((r) => r.dataset.status)).toEqual(["active", "shipped"]);
    expect(rows[0].textContent).toContain("0.478 → 0.415 eV");
    fireEvent.click(screen.getByTestId("rollback"));
    expect(screen.getByTestId("confirm-rollback").textContent).toContain("go back to the model it replaced");
    fireEvent.click(screen.getByTestId("confirm-rollback-button"));
    await waitFor(() => expect(screen.getByTestId("model-change-label").textContent).toBe("Composition ensemble v1"));
    expect(calls.find((c) => c.path === ROLLBACK)?.params.path).toEqual({ property: "band_gap" });
  });

  it("says when there is nothing of yours yet", () => {
    renderWithClient(<YourModels groups={groupVersions([SHIPPED], ["band_gap"])} selected={null} canWrite />);
    expect(screen.getByTestId("no-versions").textContent).toContain("every prediction uses the shipped models");
  });
});

describe("TrainingForm", () => {
  const PROJECTS = {
    items: [
      { id: 5, name: "Gaps", description: null, n_items: 200, n_measurements: 200, created_at: "2026-12-08T09:00:00Z" },
    ],
  };

  it("sends the project, property and options, and shows the server's 400 next to the form", async () => {
    routes.set("/api/v1/projects", () => ({ status: 200, body: PROJECTS }));
    postRoutes.set("/api/v1/models/training", () => ({
      status: 400,
      body: { detail: "no band_gap measurements in project 5" },
    }));
    const started = vi.fn();
    renderWithClient(<TrainingForm canWrite initialProject={null} onStarted={started} />);
    await screen.findByTestId("training-form");
    expect(screen.getByTestId("training-project").textContent).toContain("Gaps (200 measurements)");
    fireEvent.change(screen.getByTestId("training-epochs"), { target: { value: "4" } });
    fireEvent.click(screen.getByTestId("start-training"));
    const error = await screen.findByTestId("training-error");
    expect(error.textContent).toBe("Not started: no band_gap measurements in project 5");
    expect(calls.find((c) => c.path === "/api/v1/models/training")?.body).toEqual({
      project_id: 5,
      property: "band_gap",
      epochs: 4,
      user_weight: 10,
      holdout_fraction: 0.2,
      replay_rows: 3000,
      seed: 0,
    });
    expect(started).not.toHaveBeenCalled();
  });

  it("refuses a bad epoch count in the page and is read-only for a viewer", async () => {
    routes.set("/api/v1/projects", () => ({ status: 200, body: PROJECTS }));
    renderWithClient(<TrainingForm canWrite={false} initialProject={5} onStarted={vi.fn()} />);
    await screen.findByTestId("training-form");
    expect((screen.getByTestId("start-training") as HTMLButtonElement).closest("fieldset")?.disabled).toBe(true);
    expect(screen.getByText(/read-only \(viewer\)/)).toBeTruthy();
    cleanup();
    renderWithClient(<TrainingForm canWrite initialProject={5} onStarted={vi.fn()} />);
    await screen.findByTestId("training-form");
    fireEvent.change(screen.getByTestId("training-epochs"), { target: { value: "0" } });
    expect((screen.getByTestId("start-training") as HTMLButtonElement).disabled).toBe(true);
  });
});
