/**
 * Reading a model version's comparison with the shipped model (its `metrics`: `holdout`,
 * your held-out measurements, and `shipped_test`, the shipped model's test split, each
 * with `shipped` and `candidate` MAE / RMSE / 95 % coverage; `holdout_points`, the
 * held-out rows with both predictions), its learning curve and the versions list, for the
 * models page. Pure functions: tested in `comparison.test.ts`.
 */
import { formatNumber } from "../../format/number";
import { NOT_FINETUNABLE, type ModelVersion } from "./modelsApi";

/** One model's numbers on one set of rows. */
export interface Scores {
  n: number | null;
  mae: number | null;
  rmse: number | null;
  coverage95: number | null;
}

/** One set of rows both models were scored on. */
export interface ComparisonPart {
  key: string;
  title: string;
  description: string;
  rows: number | null;
  shipped: Scores;
  candidate: Scores;
  /** The candidate's MAE is higher than the shipped model's on these rows. */
  worse: boolean;
}

export type MetricKey = "mae" | "rmse" | "coverage95";

export interface MetricRow {
  key: MetricKey;
  label: string;
  shipped: string;
  candidate: string;
  /** candidate − shipped, signed ("−0.063 eV", "+10 pp"); "—" when either is missing. */
  change: string;
  /** true: the candidate is better on this metric; false: worse; null: equal or unknown. */
  better: boolean | null;
}

const NOMINAL_COVERAGE = 0.95;
/** Coverage moving by less than this (1 percentage point) is called neither better nor worse. */
const COVERAGE_NOISE = 0.01;

const obj = (x: unknown): Record<string, unknown> | null =>
  x && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : null;

const num = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);

function scores(x: unknown): Scores {
  const o = obj(x) ?? {};
  return { n: num(o.n), mae: num(o.mae), rmse: num(o.rmse), coverage95: num(o.coverage95) };
}

const PART_TEXT: Record<string, (rows: number | null, table: string | null) => [string, string]> = {
  holdout: (rows) => [
    "Your held-out measurements",
    `${rows ?? "?"} of your measurements (whole formulas) kept out of training`,
  ],
  shipped_test: (rows, table) => [
    "Shipped test split",
    `${rows?.toLocaleString("en") ?? "?"} rows of ${table ?? "the reference table"} the shipped model was tested on (never trained on)`,
  ],
};

/**
 * The parts of a version's metrics that compare the candidate with the shipped model:
 * held-out measurements first, then the shipped test split, then any other part with
 * `shipped` and `candidate` numbers (a structure model's, for instance).
 */
export function readComparison(metrics: Record<string, unknown> | null | undefined): ComparisonPart[] {
  const m = metrics ?? {};
  const order = ["holdout", "shipped_test", ...Object.keys(m).filter((k) => k !== "holdout" && k !== "shipped_test")];
  const parts: ComparisonPart[] = [];
  for (const key of order) {
    const part = obj(m[key]);
    if (!part || !obj(part.shipped) || !obj(part.candidate)) continue;
    const rows = num(part.rows);
    const table = typeof part.table === "string" ? part.table : null;
    const [title, description] = PART_TEXT[key]?.(rows, table) ?? [key.replace(/_/g, " "), `${rows ?? "?"} rows`];
    const shipped = scores(part.shipped);
    const candidate = scores(part.candidate);
    const worse = shipped.mae !== null && candidate.mae !== null && candidate.mae > shipped.mae;
    parts.push({ key, title, description, rows, shipped, candidate, worse });
  }
  return parts;
}

function signed(x: number, text: string): string {
  if (x > 0) return `+${text}`;
  if (x < 0) return `−${text.replace(/^-/, "")}`;
  return text;
}

/** The MAE / RMSE / coverage rows of one part's table, numbers formatted with `unit`. */
export function metricRows(part: ComparisonPart, unit: string): MetricRow[] {
  const u = unit ? ` ${unit}` : "";
  const rows: MetricRow[] = [];
  for (const key of ["mae", "rmse", "coverage95"] as const) {
    const a = part.shipped[key];
    const b = part.candidate[key];
    if (a === null && b === null) continue;
    const pct = key === "coverage95";
    const show = (x: number | null) => (x === null ? "—" : pct ? `${formatNumber(x * 100, 3)} %` : `${formatNumber(x)}${u}`);
    let change = "—";
    let better: boolean | null = null;
    if (a !== null && b !== null) {
      const d = b - a;
      change = pct ? signed(d, `${formatNumber(Math.abs(d) * 100, 2)} pp`) : signed(d, `${formatNumber(Math.abs(d), 2)}${u}`);
      if (d === 0) change = pct ? "0 pp" : `0${u}`;
      // errors: lower is better; coverage: closer to the nominal 95 % is better (a change
      // of less than COVERAGE_NOISE is neither)
      const gain = pct ? Math.abs(a - NOMINAL_COVERAGE) - Math.abs(b - NOMINAL_COVERAGE) : a - b;
      const noise = pct ? COVERAGE_NOISE : 0;
      better = gain > noise ? true : gain < -noise ? false : null;
    }
    rows.push({
      key,
      label: key === "mae" ? "MAE" : key === "rmse" ? "RMSE" : "95 % coverage",
      shipped: show(a),
      candidate: show(b),
      change,
      better,
    });
  }
  return rows;
}

/** Fewer held-out measurements than this make the comparison noisy (said on the page). */
export const FEW_HELD_OUT = 20;

/**
 * What a scientist must see before promoting: one warning per set of rows on which the
 * candidate's MAE is higher than the shipped model's, and one when the held-out set is
 * small.
 */
export function comparisonWarnings(parts: ComparisonPart[], unit: string): string[] {
  const u = unit ? ` ${unit}` : "";
  const out = parts
    .filter((p) => p.worse)
    .map(
      (p) =>
        `The fine-tuned model is worse than the shipped model on the ${p.title.toLowerCase()}: ` +
        `MAE ${formatNumber(p.candidate.mae)}${u} vs ${formatNumber(p.shipped.mae)}${u}.`,
    );
  const hold = parts.find((p) => p.key === "holdout");
  if (hold && hold.rows !== null && hold.rows < FEW_HELD_OUT) {
    out.push(`Only ${hold.rows} held-out measurements: the comparison on them is noisy.`);
  }
  return out;
}

export type Verdict = "better" | "worse" | "unknown";

/** "better": lower MAE on every part; "worse": higher on at least one; else "unknown". */
export function verdict(parts: ComparisonPart[]): Verdict {
  if (parts.length === 0 || parts.some((p) => p.shipped.mae === null || p.candidate.mae === null)) {
    return parts.some((p) => p.worse) ? "worse" : "unknown";
  }
  return parts.some((p) => p.worse) ? "worse" : "better";
}

/** One held-out measurement with both models' predictions (for the parity plot). */
export interface HoldoutPoint {
  formula: string;
  measured: number;
  shipped: number;
  candidate: number;
}

/** A version's held-out measurements with both models' predictions (`metrics.holdout_points`). */
export function holdoutPoints(metrics: Record<string, unknown> | null | undefined): HoldoutPoint[] {
  const points = metrics?.holdout_points;
  if (!Array.isArray(points)) return [];
  return points.flatMap((p) => {
    const o = obj(p);
    const measured = num(o?.measured);
    const shipped = num(o?.shipped);
    const candidate = num(o?.candidate);
    if (!o || measured === null || shipped === null || candidate === null) return [];
    return [{ formula: String(o.formula ?? ""), measured, shipped, candidate }];
  });
}

/** One epoch of a run's learning curve. */
export interface CurvePoint {
  epoch: number;
  epochs: number | null;
  trainLoss: number | null;
  holdoutMae: number | null;
}

/** The learning curve of a job's `params.learning_curve` or a card's `learning_curve`. */
export function readCurve(curve: unknown): CurvePoint[] {
  if (!Array.isArray(curve)) return [];
  return curve
    .flatMap((p) => {
      const o = obj(p);
      const epoch = num(o?.epoch);
      if (!o || epoch === null) return [];
      return [{ epoch, epochs: num(o.epochs), trainLoss: num(o.train_loss), holdoutMae: num(o.holdout_mae) }];
    })
    .sort((a, b) => a.epoch - b.epoch);
}

/** A training job's progress in words: "Queued", "Epoch 3 of 12", "Evaluating and registering". */
export function runStage(status: string, processed: number, total: number): string {
  const epochs = Math.max(total - 1, 0);
  if (status === "queued") return "Queued: waiting for a worker";
  if (status === "cancelling") return "Stopping after the current epoch";
  if (status === "running") {
    if (processed >= epochs && epochs > 0) return `Epoch ${epochs} of ${epochs} done: evaluating and registering the model`;
    return `Epoch ${Math.min(processed + 1, epochs)} of ${epochs}`;
  }
  if (status === "succeeded") return `Done: ${epochs} epochs`;
  if (status === "cancelled") return `Stopped after ${Math.min(processed, epochs)} of ${epochs} epochs`;
  if (status === "failed") return "Failed";
  return status;
}

/** The versions of one property: what predictions use now, yours (newest first), the shipped one. */
export interface PropertyModels {
  property: string;
  unit: string;
  inUse: ModelVersion | null;
  yours: ModelVersion[];
  shipped: ModelVersion | null;
}

/**
 * Group `GET /models/versions` by property (composition models only for the shipped
 * ones: the structure models predict through their own path), in `order`, keeping the
 * properties that have a version of yours or a fine-tunable shipped model.
 */
export function groupVersions(versions: ModelVersion[], order: readonly string[]): PropertyModels[] {
  const by = new Map<string, PropertyModels>();
  for (const v of versions) {
    if (v.source === "shipped" && v.method !== "composition") continue;
    if (v.source === "shipped" && NOT_FINETUNABLE.has(v.property)) continue;
    const g = by.get(v.property) ?? { property: v.property, unit: v.unit, inUse: null, yours: [], shipped: null };
    if (v.source === "organization") g.yours.push(v);
    else g.shipped ??= v;
    if (v.in_use && !g.inUse) g.inUse = v;
    by.set(v.property, g);
  }
  const rank = (p: string) => {
    const i = order.indexOf(p);
    return i < 0 ? order.length : i;
  };
  return [...by.values()].sort((a, b) => rank(a.property) - rank(b.property) || a.property.localeCompare(b.property));
}

/** "Version 3 (1.0.0+ft.12)" for yours, "Shipped (1.0.0)" for a shipped model. */
export function versionName(v: Pick<ModelVersion, "source" | "number" | "version">): string {
  return v.source === "shipped" ? `Shipped (${v.version})` : `Version ${v.number ?? "?"} (${v.version})`;
}
