/** Interpret the explorer's search box: chemical system, element list or formula. */
import { ELEMENT_SYMBOLS } from "./PeriodicTable";

export type SearchKind =
  | { kind: "empty" }
  | { kind: "chemical_system"; value: string }
  | { kind: "elements"; value: string[] }
  | { kind: "formula"; value: string };

const isElement = (s: string) => ELEMENT_SYMBOLS.has(s.charAt(0).toUpperCase() + s.slice(1).toLowerCase());
const norm = (s: string) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();

/** "Fe-O" (or "Fe-O-*") → chemical system; "Fe, O" or "Fe O" → elements; otherwise a formula ("Fe2O3"). */
export function parseSearch(text: string): SearchKind {
  const t = text.trim();
  if (!t) return { kind: "empty" };
  if (t.includes("-")) {
    const parts = t.split("-").map((p) => p.trim());
    // "Li-Fe-*": at least these elements
    if (parts.every((p) => p === "*" || (p && isElement(p))) && parts.some((p) => p !== "*")) {
      return { kind: "chemical_system", value: parts.map((p) => (p === "*" ? p : norm(p))).join("-") };
    }
  }
  const tokens = t.split(/[\s,]+/).filter(Boolean);
  if (tokens.length > 1 && tokens.every(isElement)) return { kind: "elements", value: tokens.map(norm) };
  return { kind: "formula", value: t };
}
