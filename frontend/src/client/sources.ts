/**
 * Readable names of source databases. Entry labels and links come from the API
 * (`source_label`, `source_url` of a material), not from a copy of the server's rules.
 */



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
