/** Types and calls of the molecules API (`/api/v1/molecules...`), from the generated client. */
import { api, API_BASE, formData, unwrap, type Schemas } from "../../client/api";
import type { operations } from "../../client/schema";

export type MoleculeSummary = Schemas["MoleculeSummary"];
export type Molecule = Schemas["MoleculeRead"];
export type MoleculePage = Schemas["MoleculePage"];
export type MoleculeAlert = Schemas["AlertRead"];
export type MoleculeScore = Schemas["ScoreRead"];
export type MoleculeActivity = Schemas["ActivityRead"];
export type MoleculeNeighbours = Schemas["Neighbours"];
export type Classification = MoleculeSummary["classification"];
type ListQuery = NonNullable<operations["list_molecules_api_v1_molecules_get"]["parameters"]["query"]>;
export type MoleculeSort = NonNullable<ListQuery["sort"]>;
export type SortOrder = NonNullable<ListQuery["order"]>;
export type ExportFormat = "csv" | "json" | "sdf" | "pdf";

export interface ListParams {
  sort: MoleculeSort;
  order: SortOrder;
  classification?: Classification;
  hasPains?: boolean;
  q?: string;
  limit: number;
  offset: number;
}

export const moleculeKeys = {
  all: ["molecules"] as const,
  list: (p: ListParams) => ["molecules", "list", p] as const,
  plane: ["molecules", "plane"] as const,
  one: (id: number) => ["molecules", "one", id] as const,
  neighbours: (id: number) => ["molecules", "neighbours", id] as const,
};

/** Address of an export (fetch it with `downloadWithAuth`: it needs credentials). */
export const exportUrl = (format: ExportFormat) => `${API_BASE}/molecules/export?format=${format}`;
export const depictionUrl = (id: number) => `${API_BASE}/molecules/${id}/depiction.svg`;
export const reportUrl = (id: number) => `${API_BASE}/molecules/${id}/report.pdf`;

export function listMolecules(p: ListParams) {
  return unwrap(
    api.GET("/api/v1/molecules", {
      params: {
        query: {
          sort: p.sort,
          order: p.order,
          classification: p.classification,
          has_pains: p.hasPains,
          q: p.q || undefined,
          limit: p.limit,
          offset: p.offset,
        },
      },
    }),
  );
}

/** How many molecules the efficiency plane draws at most (the best by score). */
export const PLANE_LIMIT = 500;

/** The best `PLANE_LIMIT` molecules by score, for the efficiency plane. */
export const listForPlane = () =>
  listMolecules({ sort: "score", order: "desc", limit: PLANE_LIMIT, offset: 0 });

const one = (id: number) => ({ params: { path: { molecule_id: id } } });

export const getMolecule = (id: number) => unwrap(api.GET("/api/v1/molecules/{molecule_id}", one(id)));

export const getNeighbours = (id: number) =>
  unwrap(
    api.GET("/api/v1/molecules/{molecule_id}/neighbours", {
      params: { path: { molecule_id: id }, query: { k: 8 } },
    }),
  );

/** Submit a file as a molecule batch job (202 with the job). */
export function submitBatch(file: File) {
  return unwrap(
    api.POST("/api/v1/molecules/batch", {
      body: {} as never,
      bodySerializer: () => formData([["file", file, file.name]]),
    }),
  );
}

export const getJobErrors = (id: number) =>
  unwrap(
    api.GET("/api/v1/jobs/{job_id}/errors", {
      params: { path: { job_id: id }, query: { limit: 500 } },
    }),
  );

export const sdfUrl = (id: number) => `${API_BASE}/molecules/${id}/structure.sdf`;
