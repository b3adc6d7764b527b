/**
 * Human-readable model labels from the registry names of `GET /api/v1/models`
 * ("7net-0" → "SevenNet-0 (structure)", "mlp-ens5-mp_gap-2026.11-band_gap" v2.0.0 →
 * "Composition ensemble v2"). A version the organisation fine-tuned (model registry:
 * version "<base version>+ft.<id>") says so with its full version, which the models page
 * shows too: "Composition ensemble v2, fine-tuned (2.0.0+ft.12)". Show the full id in a
 * tooltip (`modelTitle`).
 */

// registry names such as "7net-0", "sevennet-7net-l3i5-mptrj+refs-2026-12-04",
// "chgnet-0.3.0-mptrj+refs-2026-11-26": the architecture and its variant, no dataset/date
const STRUCTURE: Array<[RegExp, (m: RegExpMatchArray) => string]> = [
  [/(?:^|-)7net-([a-z0-9]+)/i, (m) => `SevenNet-${m[1]}`],
  [/^sevennet(?:[-_]([a-z0-9]+))?/i, (m) => (m[1] ? `SevenNet-${m[1]}` : "SevenNet")],
  [/^chgnet(?:[-_]v?(\d+(?:\.\d+)*))?/i, (m) => (m[1] ? `CHGNet ${m[1]}` : "CHGNet")],
  [/^m3gnet/i, () => "M3GNet"],
  [/^mace(?:[-_]([a-z0-9]+))?/i, (m) => (m[1] ? `MACE ${m[1]}` : "MACE")],
];

const major = (version: string | null | undefined) => {
  const m = /^v?(\d+)/.exec(version ?? "");
  return m ? `v${m[1]}` : "";
};

/** A fine-tuned version's recorded `model_version` ("2.0.0+ft.12"), else null. */
export function fineTunedVersion(version: string | null | undefined): string | null {
  return version && /\+ft\.\d+$/.test(version) ? version : null;
}

/**
 * "SevenNet-0 (structure)", "Composition ensemble v2", "Composition ensemble v2,
 * fine-tuned (2.0.0+ft.12)", "batch job" or the name itself.
 */
export function modelLabel(name: string | null | undefined, version?: string | null): string {
  const label = baseLabel(name, version);
  const tuned = fineTunedVersion(version);
  return tuned && name ? `${label}, fine-tuned (${tuned})` : label;
}

function baseLabel(name: string | null | undefined, version?: string | null): string {
  if (!name) return "unknown model";
  if (name === "batch") return "batch job";
  if (name === "reference") return "reference data";
  for (const [re, label] of STRUCTURE) {
    const m = name.match(re);
    if (m) return `${label(m)} (structure)`;
  }
  if (/^mlp-ens\d*-/i.test(name) || /composition/i.test(name)) {
    return ["Composition ensemble", major(version)].filter(Boolean).join(" ");
  }
  return name;
}

/** Tooltip: the registry id and version ("mlp-ens5-mp_gap-2026.11-band_gap, version 1.0.0"). */
export function modelTitle(name: string | null | undefined, version?: string | null): string {
  if (!name) return "";
  return version ? `${name}, version ${version}` : name;
}
