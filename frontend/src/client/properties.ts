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

/** " eV" for a property with a unit, "" without: appended to a value. */
export function unitSuffix(p: string): string {
  const unit = PROPERTY_UNITS[p];
  return unit ? ` ${unit}` : "";
}

/** "Band gap (eV)": the label with the unit in brackets, when there is one. */
export function labelWithUnit(p: string): string {
  const unit = PROPERTY_UNITS[p];
  return unit ? `${propertyLabel(p)} (${unit})` : propertyLabel(p);
}

/** A number on its own (3 significant figures): the UI's one formatter, `format/number.ts`. */
export { formatNumber as fmt } from "../format/number";
