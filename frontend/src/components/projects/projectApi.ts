/** Types and calls of the projects API (`/api/v1/projects...`), from the generated client. */
import { api, formData, unwrap, type Schemas } from "../../client/api";

export type Project = Schemas["ProjectRead"];
export type ProjectItem = Schemas["ItemRead"];
export type ItemStatus = Schemas["ItemStatus"];
export type PredictedValue = Schemas["PredictedValue"];
export type MeasuredValue = Schemas["MeasuredValue"];
export type Note = Schemas["NoteRead"];
export type Parity = Schemas["Parity"];
export type ParityPoint = Parity["points"][number];
export type Metrics = Schemas["Metrics"];
export type Recalibration = Schemas["RecalibrationRead"];
export type MeasurementImport = Schemas["MeasurementImport"];
export type RowError = Schemas["RowErrorRead"];

export const STATUSES: ItemStatus[] = ["idea", "selected", "synthesised", "measured", "discarded"];

/** The CSV export's address (fetch it with `downloadWithAuth`: it needs credentials). */
export const exportUrl = (projectId: number) => `/api/v1/projects/${projectId}/export.csv`;

const project = (projectId: number) => ({ params: { path: { project_id: projectId } } });

export const projectKeys = {
  all: ["projects"] as const,
  one: (id: number) => ["project", id] as const,
  items: (id: number) => ["project", id, "items"] as const,
  parity: (id: number, property: string) => ["project", id, "parity", property] as const,
  recalibrations: (id: number) => ["project", id, "recalibrations"] as const,
};

export const listProjects = () => unwrap(api.GET("/api/v1/projects"));

export const createProject = (name: string, description: string) =>
  unwrap(api.POST("/api/v1/projects", { body: { name, description: description || null } }));

export const getProject = (id: number) => unwrap(api.GET("/api/v1/projects/{project_id}", project(id)));

export const listItems = (id: number) => unwrap(api.GET("/api/v1/projects/{project_id}/items", project(id)));

/** Track an upload (a material id) or a known compound (a formula). */
export function addItem(id: number, what: { material_id: number } | { formula: string }) {
  return unwrap(
    api.POST("/api/v1/projects/{project_id}/items", {
      ...project(id),
      body: { status: "idea", ...what },
    }),
  );
}

export function updateItem(id: number, itemId: number, body: { status?: ItemStatus; tags?: string[] }) {
  return unwrap(
    api.PATCH("/api/v1/projects/{project_id}/items/{item_id}", {
      params: { path: { project_id: id, item_id: itemId } },
      body,
    }),
  );
}

export const addNote = (id: number, itemId: number | null, text: string) =>
  unwrap(api.POST("/api/v1/projects/{project_id}/notes", { ...project(id), body: { text, item_id: itemId } }));

/** Upload a measurements file; a file with bad rows throws an ApiError (422) whose
 * `detail` is `{detail, errors: [{row, column, message}]}`. */
export function uploadMeasurements(id: number, file: File, storeValidRows: boolean) {
  return unwrap(
    api.POST("/api/v1/projects/{project_id}/measurements", {
      ...project(id),
      body: {} as never,
      bodySerializer: () =>
        formData([
          ["file", file, file.name],
          ["store_valid_rows", String(storeValidRows)],
        ]),
    }),
  );
}

/** The row errors of a rejected upload (the 422 body), or null for other errors. */
export function rowErrors(error: unknown): RowError[] | null {
  const detail = (error as { status?: number; detail?: unknown } | null)?.detail;
  const errors = (detail as { errors?: unknown } | undefined)?.errors;
  return Array.isArray(errors) ? (errors as RowError[]) : null;
}

export function getParity(id: number, property: string) {
  return unwrap(
    api.GET("/api/v1/projects/{project_id}/parity", {
      params: {
        path: { project_id: id },
        query: { property: property as Schemas["Parity"]["property"], by: "chemistry" },
      },
    }),
  );
}

export const listRecalibrations = (id: number) =>
  unwrap(api.GET("/api/v1/projects/{project_id}/recalibrations", project(id)));

export const fitRecalibration = (id: number, property: string) =>
  unwrap(
    api.POST("/api/v1/projects/{project_id}/recalibrations", {
      ...project(id),
      body: { property: property as Schemas["RecalibrationCreate"]["property"] },
    }),
  );

export const setRecalibrationEnabled = (id: number, recalibrationId: number, enabled: boolean) =>
  unwrap(
    api.PATCH("/api/v1/projects/{project_id}/recalibrations/{recalibration_id}", {
      params: { path: { project_id: id, recalibration_id: recalibrationId } },
      body: { enabled },
    }),
  );
