/**
 * The explorer's URL state → API query strings, for both views (known compounds and the
 * caller's materials), and the checks made before any request is sent.
 */
import { ALL_PROPERTIES, propertyLabel } from "../../client/properties";
import { parseSearch } from "./searchQuery";

export type ExplorerView = "compounds" | "materials";

/** The filters both views share, read from the URL. */
export interface ExplorerFilters {
  q: string;
  include: string[];
  exclude: string[];
  crystalSystem: string;
  spaceGroup: string;
  ranges: Record<string, number>;
}

export function readFilters(params: URLSearchParams): ExplorerFilters {
  const ranges: Record<string, number> = {};
  for (const p of ALL_PROPERTIES) {
    for (const end of ["min", "max"]) {
      const v = params.get(`${p}_${end}`);
      if (v !== null && v !== "" && Number.isFinite(Number(v))) ranges[`${p}_${end}`] = Number(v);
    }
  }
  return {
    q: params.get("q") ?? "",
    include: params.get("include")?.split(",").filter(Boolean) ?? [],
    exclude: params.get("exclude")?.split(",").filter(Boolean) ?? [],
    crystalSystem: params.get("crystal_system") ?? "",
    spaceGroup: params.get("space_group") ?? "",
    ranges,
  };
}

/** One message per property whose minimum is above its maximum (no request is sent). */
export function rangeErrors(ranges: Record<string, number>): string[] {
  const out: string[] = [];
  for (const p of ALL_PROPERTIES) {
    const lo = ranges[`${p}_min`];
    const hi = ranges[`${p}_max`];
    if (lo !== undefined && hi !== undefined && lo > hi) {
      out.push(`${propertyLabel(p)}: the minimum (${lo}) is above the maximum (${hi}).`);
    }
  }
  return out;
}

/** Search box, elements, symmetry and property ranges as API parameters. */
function sharedQuery(f: ExplorerFilters) {
  const search = parseSearch(f.q);
  const elements = [...(search.kind === "elements" ? search.value : []), ...f.include];
  return {
    ...(search.kind === "formula" ? { formula: search.value } : {}),
    ...(search.kind === "chemical_system" ? { chemical_system: search.value } : {}),
    ...(elements.length ? { elements } : {}),
    ...(f.exclude.length ? { elements_exclude: f.exclude } : {}),
    ...(f.crystalSystem ? { crystal_system: f.crystalSystem as "cubic" } : {}),
    ...(f.spaceGroup ? { space_group_number: Number(f.spaceGroup) } : {}),
    ...f.ranges,
  };
}

/** `GET /compounds` parameters (without sort and cursor). */
export function compoundQuery(f: ExplorerFilters, hasStructure: boolean) {
  return { ...sharedQuery(f), ...(hasStructure ? { has_structure: true } : {}) };
}

/** `GET /materials` parameters for the caller's own materials (without sort and cursor). */
export function materialQuery(
  f: ExplorerFilters,
  source: string,
  propertySource: "reference" | "predicted" | "any",
) {
  return {
    ...sharedQuery(f),
    ...(source ? { source: source as "upload" } : {}),
    include_reference: false,
    property_source: propertySource,
  };
}
