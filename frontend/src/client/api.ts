/**
 * Typed API client. `schema.d.ts` is GENERATED from the server's OpenAPI schema
 * (`npm run gen:api`); never edit it by hand.
 */
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Material = Schemas["MaterialRead"];
export type MaterialHit = Schemas["MaterialHit"];
export type MaterialSearchPage = Schemas["MaterialSearchPage"];
export type UploadedMaterial = Schemas["UploadedMaterial"];
export type UploadError = Schemas["UploadError"];
export type Prediction = Schemas["PredictionRead"];
export type MaterialPredictions = Schemas["MaterialPredictions"];
export type PredictionResponse = Schemas["PredictionResponse"];
export type Job = Schemas["JobRead"];
export type JobPage = Schemas["JobPage"];
export type JobErrors = Schemas["JobErrors"];
export type ModelCard = Schemas["ModelCardRead"];
export type SimilarPage = Schemas["SimilarPage"];
export type SimilarMaterial = Schemas["SimilarMaterial"];
export type SimilarBy = SimilarPage["by"];
// openapi-fetch reads the tie-line pairs (tuples) as arrays
export type PhaseDiagram = Omit<Schemas["PhaseDiagramRead"], "tie_lines"> & { tie_lines: string[][] };
export type PhaseEntry = Schemas["PhaseEntry"];
export type Stability = Schemas["StabilityRead"];
export type PropertyName = NonNullable<Schemas["PredictionRequest"]["properties"]>[number];

export const API_BASE = "/api/v1";

export const api = createClient<paths>({ baseUrl: "" });

/** An API error with the server's human-readable message. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Turn a FastAPI error body (`{detail: string | [{msg}] | [{filename, error}]}`) into text. */
export function errorMessage(body: unknown, status: number): string {
  const detail = (body as { detail?: unknown } | undefined)?.detail;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((d) => {
        const item = d as { msg?: string; loc?: unknown[]; filename?: string; error?: string };
        if (item.error) return item.filename ? `${item.filename}: ${item.error}` : item.error;
        const where = Array.isArray(item.loc) ? item.loc.slice(1).join(".") : "";
        return where ? `${where}: ${item.msg}` : (item.msg ?? JSON.stringify(d));
      })
      .join("; ");
  }
  return `request failed (HTTP ${status})`;
}

/** Await an openapi-fetch call; return its data or throw an ApiError. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) {
    const body = error ?? {};
    throw new ApiError(errorMessage(body, response.status), response.status, body);
  }
  return data as T;
}

/** Download URL of a stored structure. */
export function structureUrl(id: number, format: "cif" | "poscar" | "json"): string {
  return `${API_BASE}/materials/${id}/structure?format=${format}`;
}

/** Download URL of a job's results. */
export function jobResultsUrl(id: number, format: "csv" | "parquet"): string {
  return `${API_BASE}/jobs/${id}/results?format=${format}`;
}

/** Multipart bodies: openapi-fetch sends FormData untouched with this serializer. */
export function formData(entries: Array<[string, string | Blob, string?]>): FormData {
  const fd = new FormData();
  for (const [k, v, name] of entries) {
    if (typeof v === "string") fd.append(k, v);
    else fd.append(k, v, name);
  }
  return fd;
}

/**
 * Upload one structure file (or zip) with upload progress (XMLHttpRequest: fetch has no
 * upload progress). Response types come from the generated schema.
 */
export function uploadStructureFile(
  file: File,
  onProgress: (fraction: number) => void,
): Promise<Array<UploadedMaterial | UploadError>> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${API_BASE}/materials`);
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      const body: unknown = xhr.response;
      if (xhr.status === 201) resolve(body as Array<UploadedMaterial | UploadError>);
      else reject(new ApiError(errorMessage(body, xhr.status), xhr.status, body));
    };
    xhr.onerror = () => reject(new ApiError("network error: is the server running?", 0));
    xhr.send(formData([["files", file, file.name]]));
  });
}

export function isUploadError(x: UploadedMaterial | UploadError): x is UploadError {
  return (x as UploadError).error !== undefined && (x as UploadedMaterial).id === undefined;
}

/** The viewer scene of a material (see GET /materials/{id}/scene). */
export function fetchScene(materialId: number, supercell: string, bonding: "crystalnn" | "cutoff") {
  return unwrap(
    api.GET("/api/v1/materials/{material_id}/scene", {
      params: { path: { material_id: materialId }, query: { supercell, bonding } },
    }),
  );
}
// openapi-fetch reads tuples as arrays; take the type it returns
export type Scene = Awaited<ReturnType<typeof fetchScene>>;
export type SceneAtom = Scene["atoms"][number];
