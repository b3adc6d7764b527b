/**
 * The one number formatter of the UI (the CLI's `matdiscover.cli.format` follows the same
 * rules and the same test table):
 *
 * - a value with an uncertainty: σ to two significant figures, the value rounded to σ's
 *   last digit ("0.020 ± 0.059", "1.18 ± 0.38", "12300 ± 1200");
 * - plain notation for ordinary magnitudes (1e-4 ≤ |x| < 1e6): "0.000833", "105780";
 *   outside that range "1.2 × 10⁻⁵"; never "8.33e-4" or "1.06e+5";
 * - a band gap the model calls a metal reads "metal" (with P(metal) when the model gives
 *   the classifier's probability in `details.p_metal`);
 * - a table column uses the same number of decimals in every row (`columnFormatter`);
 * - the 95 % interval reads "95 %: a to b" with σ's decimals.
 *
 * CSV and Parquet exports are not formatted: they keep the full float precision.
 */

/** Plain (non-exponent) notation for PLAIN_MIN ≤ |x| < PLAIN_MAX. */
export const PLAIN_MIN = 1e-4;
export const PLAIN_MAX = 1e6;
const DASH = "—";
const SUP: Record<string, string> = {
  "-": "⁻", "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹",
};

const finite = (x: number | null | undefined): x is number =>
  x !== null && x !== undefined && Number.isFinite(x);

/** Decimal exponent of |x| (x ≠ 0): 0.0593 → -2, 382 → 2. */
function exponent(x: number): number {
  return Math.floor(Math.log10(Math.abs(x)) + 1e-12);
}

/** x with `decimals` decimals, never "-0.00". */
export function fixed(x: number, decimals: number): string {
  const s = x.toFixed(Math.max(0, Math.min(decimals, 20)));
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** Round x to the 10^place digit (place < 0: decimals). */
function roundTo(x: number, place: number): number {
  if (place >= 0) {
    const f = 10 ** place;
    return Math.round(x / f) * f;
  }
  return Number(x.toFixed(-place));
}

const superscript = (n: number) => [...String(n)].map((c) => SUP[c] ?? c).join("");

/** "1.2 × 10⁻⁵" with `sig` significant figures (trailing zeros dropped). */
function scientific(x: number, sig: number): string {
  const e = exponent(Number(x.toPrecision(sig)));
  const m = Number((x / 10 ** e).toPrecision(sig));
  return `${m} × 10${superscript(e)}`;
}

/**
 * A number on its own, to `sig` significant figures (trailing zeros dropped), in plain
 * notation for ordinary magnitudes; integers of more than `sig` digits are shown whole.
 */
export function formatNumber(x: number | null | undefined, sig = 3): string {
  if (!finite(x)) return DASH;
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a < PLAIN_MIN || a >= PLAIN_MAX) return scientific(x, sig);
  const e = exponent(Number(x.toPrecision(sig)));
  if (e >= sig - 1) return fixed(x, 0);
  const s = fixed(Number(x.toPrecision(sig)), sig - 1 - e);
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

export interface Measured {
  value: string;
  /** σ as shown, or null when there is none. */
  sigma: string | null;
  /** Decimals used (for the interval and neighbours); null in scientific notation. */
  decimals: number | null;
  /** Common power of ten of value and σ ("" or " × 10⁻⁶"). */
  power: string;
}

/** value ± σ: σ to two significant figures, value rounded to σ's last digit. */
export function formatMeasured(value: number, sigma: number | null | undefined): Measured {
  if (!finite(value)) return { value: DASH, sigma: null, decimals: null, power: "" };
  if (!finite(sigma) || sigma <= 0) {
    return { value: formatNumber(value), sigma: null, decimals: null, power: "" };
  }
  const s2 = Number(sigma.toPrecision(2));
  const last = exponent(s2) - 1; // place of σ's second significant digit
  if (s2 < PLAIN_MIN || Math.abs(value) >= PLAIN_MAX) {
    // a common power of ten: "(5.00 ± 0.20) × 10⁻⁴"
    const e = exponent(Math.abs(value) >= s2 ? value : s2);
    const m = formatMeasured(value / 10 ** e, sigma / 10 ** e);
    return { ...m, decimals: null, power: ` × 10${superscript(e)}` };
  }
  const decimals = Math.max(0, -last);
  return {
    value: fixed(roundTo(value, last), decimals),
    sigma: fixed(roundTo(s2, last), decimals),
    decimals,
    power: "",
  };
}

/** "0.020 ± 0.059", "(5.00 ± 0.20) × 10⁻⁴" (no σ: the value alone). */
export function formatWithSigma(value: number, sigma: number | null | undefined): string {
  const m = formatMeasured(value, sigma);
  if (m.sigma === null) return m.value;
  return m.power ? `(${m.value} ± ${m.sigma})${m.power}` : `${m.value} ± ${m.sigma}`;
}

/** "95 %: a to b", with the given decimals (σ's) or 3 significant figures. */
export function formatInterval(low: number, high: number, decimals: number | null = null): string {
  const f = (x: number) => (decimals === null ? formatNumber(x) : fixed(roundTo(x, -decimals), decimals));
  return `95 %: ${f(low)} to ${f(high)}`;
}

/**
 * How the interval relates to σ, for its tooltip: a calibrated interval is not always
 * ±1.96σ (the composition models' split-conformal interval is about ±2.9σ).
 */
export function intervalExplanation(value: number, sigma: number | null | undefined, low: number, high: number): string {
  const base =
    "Calibrated 95 % interval: on held-out data 95 % of the reference values fall inside it.";
  if (!finite(sigma) || sigma <= 0) return base;
  const k = (high - low) / (2 * sigma);
  const centred = Math.abs((high + low) / 2 - value) <= 0.01 * (high - low);
  const span = centred ? `value ± ${k.toFixed(1)} σ` : `about ${k.toFixed(1)} σ each side on average`;
  const normal = Math.abs(k - 1.96) < 0.05
    ? "as for a normal distribution."
    : k > 1.96
      ? "wider than the ±1.96 σ of a normal distribution, because the model's errors have heavier tails (the interval is fitted on a calibration split)."
      : "narrower than the ±1.96 σ of a normal distribution (fitted on a calibration split).";
  return `${base} Here it is ${span}, ${normal}`;
}

/** A predicted band gap the model calls a metal, or null if it is a semiconductor. */
export interface MetalCall {
  /** P(metal) from the model's classifier, when it gives one. */
  pMetal: number | null;
}

/**
 * Metal or not: the classifier's P(metal) ≥ 0.5 when the model gives one
 * (`details.p_metal`), else a predicted gap that rounds to zero at σ's precision.
 */
export function metalCall(p: {
  property: string;
  value: number;
  std?: number | null;
  details?: Record<string, unknown> | null;
}): MetalCall | null {
  if (p.property !== "band_gap") return null;
  const raw = p.details?.p_metal;
  const pMetal = typeof raw === "number" && Number.isFinite(raw) ? raw : null;
  if (pMetal !== null) return pMetal >= 0.5 ? { pMetal } : null;
  if (p.value <= 0) return { pMetal: null };
  const m = formatMeasured(p.value, p.std);
  return m.sigma !== null && Number(m.value) === 0 ? { pMetal: null } : null;
}

/** "P(metal) 0.93". */
export const formatPMetal = (p: number) => `P(metal) ${fixed(p, 2)}`;

/**
 * One formatter for a whole table column: the same number of decimals in every row,
 * chosen so the column's median magnitude gets `sig` significant figures (0–6 decimals).
 * Columns of very large or very small numbers fall back to `formatNumber`.
 */
export function columnFormatter(values: Array<number | null | undefined>, sig = 3): (x: number | null | undefined) => string {
  const mags = values.filter(finite).map(Math.abs).filter((a) => a > 0).sort((a, b) => a - b);
  if (mags.length === 0) return (x) => (finite(x) ? fixed(x, 0) : DASH);
  const median = mags[Math.floor(mags.length / 2)];
  if (median < PLAIN_MIN || median >= PLAIN_MAX) return (x) => formatNumber(x, sig);
  const decimals = Math.max(0, Math.min(6, sig - 1 - exponent(median)));
  return (x) => (finite(x) ? fixed(x, decimals) : DASH);
}
