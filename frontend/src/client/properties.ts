/** Display names and formatting of the predicted properties. */
import type { PropertyName } from "./api";

export const PROPERTY_LABELS: Record<string, string> = {
  formation_energy: "Formation energy",
  energy_above_hull: "Energy above hull",
  band_gap: "Band gap",
  bulk_modulus: "Bulk modulus",
  shear_modulus: "Shear modulus",
  debye_temperature: "Debye temperature",
};

export const ALL_PROPERTIES: PropertyName[] = [
  "band_gap",
  "formation_energy",
  "energy_above_hull",
  "bulk_modulus",
  "shear_modulus",
  "debye_temperature",
];

export function propertyLabel(p: string): string {
  return PROPERTY_LABELS[p] ?? p.replace(/_/g, " ");
}

/** Format a number with about 3 significant figures (no exponent for usual magnitudes). */
export function fmt(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "—";
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return x.toExponential(2);
  if (a >= 100) return x.toFixed(0);
  return Number(x.toPrecision(digits)).toString();
}
