/**
 * Typed API client. `schema.d.ts` is GENERATED from the server's OpenAPI schema
 * (`npm run gen:api`); never edit it by hand.
 */
import createClient from "openapi-fetch";
import { authMiddleware, retryAfterSeconds, session } from "../auth/session";
import type { components, operations, paths } from "./schema";

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
export type Me = Schemas["Me"];
export type KnownMatch = NonNullable<Material["known_match"]>;
export type CompoundHit = Schemas["CompoundHit"];
export type CompoundSort = NonNullable<
  NonNullable<operations["list_compounds_api_v1_compounds_get"]["parameters"]["query"]>["sort"]
>;
export type CompoundSearchPage = Schemas["CompoundSearchPage"];
export type CompoundDetail = Schemas["CompoundDetail"];
export type ReferenceValue = Schemas["ReferenceValue"];
export type KnownStructure = Schemas["KnownStructure"];
export type OwnMaterial = Schemas["OwnMaterial"];
export type TokenPair = Schemas["TokenPair"];

export const API_BASE = "/api/v1";

export const api = createClient<paths>({ baseUrl: "" });
// server mode: `Authorization: Bearer`, one refresh and retry on a 401 (see auth/session.ts)
api.use(authMiddleware(session));

/** An API error with the server's human-readable message. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly detail?: unknown,
    /** Seconds from `Retry-After` (429). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** What a status means to the user, put before the server's explanation. */
const STATUS_PREFIX: Record<number, string> = {
  401: "Not logged in",
  402: "Quota exceeded",
  403: "Not allowed",
  429: "Too many requests",
};

/**
 * Turn a FastAPI error body (`{detail: string | [{msg}] | [{filename, error}]}`) into text.
 * 402 (plan quota), 403 (role, e.g. a read-only viewer) and 429 say so first, e.g.
 * "Not allowed: your role in this organisation is read-only (viewer)".
 */
export function errorMessage(body: unknown, status: number, retryAfter?: number): string {
  const text = detailText(body, status);
  const prefix = STATUS_PREFIX[status];
  const wait = status === 429 && retryAfter ? ` (retry in ${retryAfter} s)` : "";
  return prefix ? `${prefix}: ${text}${wait}` : text;
}

function detailText(body: unknown, status: number): string {
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
    const wait = retryAfterSeconds(response.headers?.get("Retry-After") ?? null);
    throw new ApiError(errorMessage(body, response.status, wait), response.status, body, wait);
  }
  return data as T;
}

/** Download URL of a stored structure (fetch it with `downloadWithAuth`, not a plain link). */
export function structureUrl(id: number, format: "cif" | "poscar" | "json"): string {
  return `${API_BASE}/materials/${id}/structure?format=${format}`;
}

/** Download URL of a job's results (fetch it with `downloadWithAuth`). */
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
 * upload progress). Response types come from the generated schema. In server mode it
 * carries the access token and, on a 401, refreshes once and uploads again.
 */
export async function uploadStructureFile(
  file: File,
  onProgress: (fraction: number) => void,
): Promise<Array<UploadedMaterial | UploadError>> {
  const used = await session.authorizationForRequest();
  const first = await sendUpload(file, onProgress, used);
  let result = first;
  if (first.status === 401 && (await session.recover(used))) {
    onProgress(0);
    result = await sendUpload(file, onProgress, session.authorization);
    if (result.status === 401) session.expire();
  }
  const { status, body, retryAfter } = result;
  if (status === 201) return body as Array<UploadedMaterial | UploadError>;
  throw new ApiError(errorMessage(body, status, retryAfter), status, body, retryAfter);
}

function sendUpload(
  file: File,
  onProgress: (fraction: number) => void,
  authorization: string | null,
): Promise<{ status: number; body: unknown; retryAfter?: number }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${API_BASE}/materials`);
    if (authorization) xhr.setRequestHeader("Authorization", authorization);
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () =>
      resolve({
        status: xhr.status,
        body: xhr.response as unknown,
        retryAfter: retryAfterSeconds(xhr.getResponseHeader("Retry-After")),
      });
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
