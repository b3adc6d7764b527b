/**
 * Types and calls of the model registry and training API (`/api/v1/models/versions...`,
 * `/api/v1/models/training`), from the generated client.
 */
import { api, unwrap, type Job, type Schemas } from "../../client/api";

export type ModelVersion = Schemas["ModelVersionRead"];
export type ActiveModel = Schemas["ActiveModelRead"];
export type TrainingRequest = Schemas["TrainingRequest"];

/** Job kinds of training runs (composition fine-tunes and structure-model fine-tunes). */
export const TRAINING_KINDS = new Set(["model_training", "structure_training"]);

/**
 * Properties whose shipped composition model can be fine-tuned on measurements, in the
 * catalogue's order (energy above hull is derived from the formation energy, so it is not
 * trained itself; the server refuses it with a 400).
 */
export const NOT_FINETUNABLE = new Set(["energy_above_hull"]);

/** The training options a scientist sets in the form (the server's defaults). */
export const TRAINING_DEFAULTS = { epochs: 12, user_weight: 10, holdout_fraction: 0.2, replay_rows: 3000, seed: 0 };

export const modelKeys = {
  versions: ["model-versions"] as const,
  version: (id: number) => ["model-versions", id] as const,
  runs: ["training-runs"] as const,
};

export const listVersions = () => unwrap(api.GET("/api/v1/models/versions"));

export const getVersion = (id: number) =>
  unwrap(api.GET("/api/v1/models/versions/{version_id}", { params: { path: { version_id: id } } }));

export const promoteVersion = (id: number) =>
  unwrap(api.POST("/api/v1/models/versions/{version_id}/promote", { params: { path: { version_id: id } } }));

export const rollbackProperty = (property: string) =>
  unwrap(api.POST("/api/v1/models/{property}/rollback", { params: { path: { property } } }));

/** Queue a fine-tune (202 with the `model_training` job); unusable rows are a 400. */
export const startTraining = (body: TrainingRequest) => unwrap(api.POST("/api/v1/models/training", { body }));

/** The organisation's recent training runs (newest first), from the jobs list. */
export async function listTrainingRuns(): Promise<Job[]> {
  const page = await unwrap(api.GET("/api/v1/jobs", { params: { query: { limit: 100 } } }));
  return page.items.filter((j) => TRAINING_KINDS.has(j.kind));
}
