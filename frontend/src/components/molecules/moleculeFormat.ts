/**
 * Pure helpers of the molecule pages: the score's components and their weighted
 * contributions (the displayed numbers reproduce the total), alert families grouped by
 * catalogue, class badges and the file types a molecule batch accepts.
 */
import type { Classification, MoleculeAlert, MoleculeScore } from "./moleculeApi";

export interface ScoreTerm {
  key: "potency" | "efficiency" | "quality";
  label: string;
  /** The component, 0–1 (null when it cannot be computed, e.g. no activity). */
  value: number | null;
  weight: number;
  /** Points of the 0–100 total: 100 · weight · value / Σ weights. */
  points: number | null;
}

/**
 * The three components with their weights and points, and the total recomputed from them:
 * `total = 100 · (wp·potency + we·efficiency + wq·quality) / (wp + we + wq)`.
 * `total` is null when potency or efficiency is missing (an unscored molecule).
 */
export function scoreTerms(score: MoleculeScore): { terms: ScoreTerm[]; total: number | null } {
  const sum = score.w_potency + score.w_efficiency + score.w_quality;
  const term = (key: ScoreTerm["key"], label: string, value: number | null | undefined, weight: number): ScoreTerm => ({
    key,
    label,
    value: value ?? null,
    weight,
    points: value === null || value === undefined || sum <= 0 ? null : (100 * weight * value) / sum,
  });
  const terms = [
    term("potency", "Potency", score.potency, score.w_potency),
    term("efficiency", "Efficiency", score.efficiency, score.w_efficiency),
    term("quality", "Quality", score.quality, score.w_quality),
  ];
  const total = terms.some((t) => t.points === null) ? null : terms.reduce((s, t) => s + (t.points ?? 0), 0);
  return { terms, total };
}

/** Names of the efficiency terms as the score uses them (reference ranges in the backend). */
export const EFFICIENCY_TERM_LABELS: Record<string, string> = {
  le: "LE",
  lle: "LLE",
  sei: "SEI",
  bei: "BEI",
};

export type AlertKind = "PAINS" | "Brenk" | "NIH";

export const alertKind = (catalog: string): AlertKind =>
  catalog.startsWith("PAINS") ? "PAINS" : catalog === "NIH" ? "NIH" : "Brenk";

export interface AlertGroup {
  kind: AlertKind;
  /** Distinct families in first-seen order, e.g. ["ene_rhod"]. */
  families: string[];
  alerts: MoleculeAlert[];
  /** Union of the matched atom indices, ascending. */
  atoms: number[];
}

/** Alerts grouped PAINS, then Brenk, then NIH (empty groups left out). */
export function groupAlerts(alerts: MoleculeAlert[]): AlertGroup[] {
  const order: AlertKind[] = ["PAINS", "Brenk", "NIH"];
  return order
    .map((kind) => {
      const mine = alerts.filter((a) => alertKind(a.catalog) === kind);
      const families = [...new Set(mine.map((a) => a.family))];
      const atoms = [...new Set(mine.flatMap((a) => a.atoms))].sort((a, b) => a - b);
      return { kind, families, alerts: mine, atoms };
    })
    .filter((g) => g.alerts.length > 0);
}

/** "ene_rhod" → "ene rhod" (PAINS family names use underscores). */
export const familyLabel = (family: string) => family.replace(/_/g, " ");

/** CSS modifier of a class badge. */
export const classBadge = (c: Classification) => `class-badge ${c.toLowerCase()}`;

/** File endings offered by the picker (the server reads the format from the suffix, else the content). */
export const BATCH_EXTENSIONS = [".csv", ".tsv", ".txt", ".smi", ".smiles", ".sdf", ".sd", ".mol"];
