/**
 * Readable, citable names of reference entries: a Materials Project id stays `mp-22862`
 * (linked to its MP page), a bundled table row `mp_e_form:75208` reads "Matbench mp_e_form,
 * row 75208" (mirrors `science/reference_sources.entry_label` on the server).
 */

const MP_URL = "https://next-gen.materialsproject.org/materials/";
const AFLOW_URL = "https://aflow.org/prototype-encyclopedia/";

/** Tables the CrabNet authors curated (their collection name, not Matbench's). */
const CRABNET_TABLES = new Set([
  "mp_e_hull",
  "mp_bulk_modulus",
  "mp_shear_modulus",
  "mp_mu_b",
]);
const COLLECTIONS: Record<string, string> = {
  mp: "Matbench",
  expt: "Matbench",
  aflow: "AFLOW",
  oqmd: "OQMD",
};

export const DATABASE_NAMES: Record<string, string> = {
  materials_project: "Materials Project",
  aflow_prototypes: "AFLOW prototypes",
  ase_dcdft: "ASE dcdft (Delta test)",
  aflow: "AFLOW",
  oqmd: "OQMD",
  experiment: "experiment",
};

/** "materials_project" → "Materials Project"; unknown names with spaces for underscores. */
export function databaseName(db: string | null | undefined): string {
  if (!db) return "—";
  return DATABASE_NAMES[db] ?? db.replace(/_/g, " ");
}

/** A person's label for a reference row id (`<table>:<row>` or a citable id). */
export function entryLabel(sourceId: string): string {
  const i = sourceId.indexOf(":");
  if (i < 0) return sourceId;
  const table = sourceId.slice(0, i);
  const row = sourceId.slice(i + 1);
  const collection = CRABNET_TABLES.has(table)
    ? "CrabNet"
    : (COLLECTIONS[table.split("_", 1)[0]] ?? "table");
  return `${collection} ${table}, row ${row}`;
}

/** The public page of an entry, or null (then its label is plain text). */
export function entryUrl(db: string | null | undefined, sourceId: string): string | null {
  if (/^mp-\d+$/.test(sourceId)) return MP_URL + sourceId;
  if (db === "aflow_prototypes" && sourceId && !sourceId.includes(".")) {
    return `${AFLOW_URL}${sourceId}.html`;
  }
  return null;
}
