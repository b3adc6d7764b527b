/**
 * The campaign create form's state, its validation and the request it sends, and the
 * results form's request: pure functions (unit-tested) used by the components.
 */
import { propertyLabel, unitSuffix } from "../../client/properties";
import { formatNumber } from "../../format/number";
import type { Acquisition, CampaignCreate, Objective, ResultValue } from "./campaignApi";

export const ACQUISITIONS: Array<{ value: Acquisition; label: string }> = [
  { value: "ucb", label: "UCB: mean + κσ" },
  { value: "greedy", label: "Greedy: best mean" },
  { value: "lcb", label: "LCB: mean − κσ" },
  { value: "ei", label: "Expected improvement" },
  { value: "pi", label: "P(improvement)" },
  { value: "thompson", label: "Thompson sampling" },
  { value: "window", label: "Window: P(in window)" },
  { value: "stability", label: "Stability: mean − κσ" },
];

export type Direction = Objective["direction"];
export type PoolChoice = "pasted" | "project";

export interface CampaignFormState {
  name: string;
  property: string;
  direction: Direction;
  /** window bounds as typed (strings: an empty field is "not given") */
  min: string;
  max: string;
  acquisition: Acquisition;
  kappa: string;
  batchSize: string;
  diversity: string;
  pool: PoolChoice;
  formulas: string;
}

export const INITIAL_FORM: CampaignFormState = {
  name: "",
  property: "band_gap",
  direction: "max",
  min: "",
  max: "",
  acquisition: "ucb",
  kappa: "1",
  batchSize: "5",
  diversity: "0",
  pool: "pasted",
  formulas: "",
};

/** The API's defaults of the enumeration fields (the generated type asks for them; unused here). */
const ENUMERATION_DEFAULTS = { max_atoms: 8, max_coefficient: 6 };

/** The non-empty lines of a pasted pool (one formula per line, or CSV rows). */
export function poolLines(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
}

const number = (text: string): number | null => {
  const t = text.trim().replace(/^−/, "-");
  if (t === "") return null;
  const x = Number(t);
  return Number.isFinite(x) ? x : NaN;
};

/**
 * The `POST .../campaigns` body, or the first problem the form can see by itself (an empty
 * name or pool, a number that is not one, a window without both bounds). What only the
 * server knows (an unknown formula, min > max, a batch larger than the pool) is left to
 * its 400 answer, which the form shows as it is.
 */
export function buildCampaignRequest(f: CampaignFormState): { body: CampaignCreate } | { error: string } {
  const name = f.name.trim();
  if (!name) return { error: "Give the campaign a name." };
  const objective: Objective = { property: f.property, direction: f.direction };
  if (f.direction === "window") {
    const min = number(f.min);
    const max = number(f.max);
    if (min === null || max === null) return { error: "A window needs both a minimum and a maximum." };
    if (Number.isNaN(min) || Number.isNaN(max)) return { error: "The window's bounds must be numbers." };
    objective.min = min;
    objective.max = max;
  }
  const kappa = number(f.kappa);
  if (kappa === null || Number.isNaN(kappa)) return { error: "κ must be a number (in σ, e.g. 1)." };
  const batch = number(f.batchSize);
  if (batch === null || !Number.isInteger(batch)) return { error: "The batch size must be a whole number." };
  const diversity = number(f.diversity) ?? 0;
  if (Number.isNaN(diversity)) return { error: "The diversity penalty must be a number." };
  let pool: CampaignCreate["pool"];
  if (f.pool === "project") {
    pool = { source: "project", ...ENUMERATION_DEFAULTS };
  } else {
    const lines = poolLines(f.formulas);
    if (lines.length === 0) return { error: "Paste the candidate formulas, one per line." };
    pool = { source: "uploaded", text: lines.join("\n"), ...ENUMERATION_DEFAULTS };
  }
  return {
    body: {
      name,
      objectives: [objective],
      acquisition: f.acquisition,
      kappa,
      batch_size: batch,
      diversity,
      pool,
    },
  };
}

/** "Band gap: maximise", "Band gap in 1.1 to 1.7 eV". */
export function objectiveText(o: Objective): string {
  const label = propertyLabel(o.property);
  if (o.direction === "window") {
    return `${label} in ${formatNumber(o.min)} to ${formatNumber(o.max)}${unitSuffix(o.property)}`;
  }
  return `${label}: ${o.direction === "max" ? "maximise" : "minimise"}`;
}

/**
 * Typed results of one round → `values` for `POST .../results`: one entry per filled
 * input (key `candidateId:property`), or the first input that is not a number.
 */
export function buildResultValues(
  inputs: Record<string, string>,
  labels: Record<string, string> = {},
): { values: ResultValue[] } | { error: string } {
  const values: ResultValue[] = [];
  for (const [key, text] of Object.entries(inputs)) {
    const x = number(text);
    if (x === null) continue;
    if (Number.isNaN(x)) return { error: `Not a number: "${text.trim()}" (${labels[key] ?? key}).` };
    const [id, property] = key.split(":");
    values.push({ candidate_id: Number(id), property, value: x });
  }
  if (values.length === 0) return { error: "Type at least one measured value." };
  return { values };
}
