/** Display names, units and order of the predicted properties, from the API's property
 * catalogue (`catalogue.json` is generated with the OpenAPI client: `npm run gen:api`). */
import type { PropertyName } from "./api";
import catalogue from "./catalogue.json";

export interface PropertyInfo {
  key: PropertyName;
  display_name: string;
  unit: string;
  description: string;
  methods: string[];
}

export const PROPERTY_CATALOGUE = catalogue as PropertyInfo[];

export const PROPERTY_LABELS: Record<string, string> = Object.fromEntries(
  PROPERTY_CATALOGUE.map((p) => [p.key, p.display_name]),
);

export const PROPERTY_UNITS: Record<string, string> = Object.fromEntries(
  PROPERTY_CATALOGUE.map((p) => [p.key, p.unit]),
);

export const ALL_PROPERTIES: PropertyName[] = PROPERTY_CATALOGUE.map((p) => p.key);

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
