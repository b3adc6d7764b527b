import { describe, expect, it } from "vitest";
import {
  comparisonWarnings,
  groupVersions,
  holdoutPoints,
  metricRows,
  readComparison,
  readCurve,
  runStage,
  verdict,
  versionName,
} from "./comparison";
import type { ModelVersion } from "./modelsApi";

/** The metrics of a fine-tuned band-gap version, as the registry stores them. */
const METRICS = {
  holdout: {
    rows: 40,
    shipped: { n: 40, mae: 0.4783, rmse: 1.0055, coverage95: 0.85 },
    candidate: { n: 40, mae: 0.4147, rmse: 0.9377, coverage95: 0.95 },
  },
  shipped_test: {
    rows: 21_166,
    table: "mp_gap",
    shipped: { n: 21_166, mae: 0.301, rmse: 0.62, coverage95: 0.951 },
    candidate: { n: 21_166, mae: 0.3196, rmse: 0.64, coverage95: 0.94 },
  },
  holdout_points: [
    { formula: "GaN", measured: 3.4, shipped: 2.9, candidate: 3.2 },
    { formula: "Cu", measured: 0, shipped: 0, candidate: 0 },
    { formula: "bad", measured: "x", shipped: 1, candidate: 1 },
  ],
};

describe("readComparison", () => {
  it("puts your held-out measurements first, then the shipped test split", () => {
    const parts = readComparison({ shipped_test: METRICS.shipped_test, holdout: METRICS.holdout });
    expect(parts.map((p) => p.key)).toEqual(["holdout", "shipped_test"]);
    expect(parts[0].title).toBe("Your held-out measurements");
    expect(parts[0].rows).toBe(40);
    expect(parts[1].description).toContain("21,166 rows of mp_gap");
  });

  it("marks the part where the candidate's MAE is higher", () => {
    const [hold, test] = readComparison(METRICS);
    expect(hold.worse).toBe(false);
    expect(test.worse).toBe(true);
  });

  it("keeps other parts with both models' numbers and skips the rest", () => {
    const parts = readComparison({
      holdout_energy: { rows: 12, shipped: { mae: 0.05 }, candidate: { mae: 0.02 } },
      notes: "no comparison",
      half: { shipped: { mae: 1 } },
    });
    expect(parts.map((p) => p.key)).toEqual(["holdout_energy"]);
    expect(parts[0].title).toBe("holdout energy");
    expect(readComparison(undefined)).toEqual([]);
  });
});

describe("metricRows", () => {
  it("formats MAE and RMSE with the unit and coverage in percent, with signed changes", () => {
    const [hold] = readComparison(METRICS);
    const rows = metricRows(hold, "eV");
    expect(rows.map((r) => [r.label, r.shipped, r.candidate, r.change, r.better])).toEqual([
      ["MAE", "0.478 eV", "0.415 eV", "−0.064 eV", true],
      ["RMSE", "1.01 eV", "0.938 eV", "−0.068 eV", true],
      ["95 % coverage", "85 %", "95 %", "+10 pp", true],
    ]);
  });

  it("calls a higher MAE worse, and coverage further from 95 % worse beyond 1 point", () => {
    const [, test] = readComparison(METRICS);
    const rows = Object.fromEntries(metricRows(test, "eV").map((r) => [r.key, r]));
    expect(rows.mae.better).toBe(false);
    expect(rows.mae.change).toBe("+0.019 eV");
    expect(rows.coverage95.change).toBe("−1.1 pp");
    expect(rows.coverage95.better).toBeNull(); // 95.1 % → 94 %: 0.9 points further from 95 %
    const [far] = readComparison({ holdout: { rows: 40, shipped: { coverage95: 0.95 }, candidate: { coverage95: 0.8 } } });
    expect(metricRows(far, "eV")[0]).toMatchObject({ label: "95 % coverage", change: "−15 pp", better: false });
  });

  it("shows a dash where a number is missing", () => {
    const [part] = readComparison({ holdout: { rows: 3, shipped: { mae: 1 }, candidate: { mae: null } } });
    const rows = metricRows(part, "");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ shipped: "1", candidate: "—", change: "—", better: null });
  });
});

describe("comparisonWarnings and verdict", () => {
  it("warns once per part where the candidate is worse", () => {
    const parts = readComparison(METRICS);
    expect(comparisonWarnings(parts, "eV")).toEqual([
      "The fine-tuned model is worse than the shipped model on the shipped test split: MAE 0.32 eV vs 0.301 eV.",
    ]);
    expect(verdict(parts)).toBe("worse");
  });

  it("warns on both parts, and about a small held-out set", () => {
    const parts = readComparison({
      holdout: { rows: 8, shipped: { mae: 0.3 }, candidate: { mae: 0.5 } },
      shipped_test: { rows: 100, shipped: { mae: 0.3 }, candidate: { mae: 0.31 } },
    });
    const warnings = comparisonWarnings(parts, "GPa");
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toContain("your held-out measurements: MAE 0.5 GPa vs 0.3 GPa");
    expect(warnings[2]).toBe("Only 8 held-out measurements: the comparison on them is noisy.");
  });

  it("says better only when the MAE is lower everywhere", () => {
    const better = readComparison({
      holdout: { rows: 40, shipped: { mae: 0.5 }, candidate: { mae: 0.4 } },
      shipped_test: { rows: 100, shipped: { mae: 0.3 }, candidate: { mae: 0.3 } },
    });
    expect(verdict(better)).toBe("better");
    expect(comparisonWarnings(better, "eV")).toEqual([]);
    expect(verdict([])).toBe("unknown");
  });
});

describe("holdoutPoints and readCurve", () => {
  it("keeps the held-out rows with three numbers", () => {
    expect(holdoutPoints(METRICS).map((p) => p.formula)).toEqual(["GaN", "Cu"]);
    expect(holdoutPoints({})).toEqual([]);
  });

  it("reads a learning curve in epoch order", () => {
    const curve = readCurve([
      { epoch: 2, epochs: 3, train_loss: 0.3, holdout_mae: 0.41, seconds: 1 },
      { epoch: 1, epochs: 3, train_loss: 0.4, holdout_mae: null, seconds: 1 },
      { nothing: true },
    ]);
    expect(curve).toEqual([
      { epoch: 1, epochs: 3, trainLoss: 0.4, holdoutMae: null },
      { epoch: 2, epochs: 3, trainLoss: 0.3, holdoutMae: 0.41 },
    ]);
    expect(readCurve(undefined)).toEqual([]);
  });
});

describe("runStage", () => {
  it("says which epoch a 12-epoch run (13 steps) is in", () => {
    expect(runStage("queued", 0, 13)).toBe("Queued: waiting for a worker");
    expect(runStage("running", 0, 13)).toBe("Epoch 1 of 12");
    expect(runStage("running", 4, 13)).toBe("Epoch 5 of 12");
    expect(runStage("running", 12, 13)).toBe("Epoch 12 of 12 done: evaluating and registering the model");
    expect(runStage("succeeded", 13, 13)).toBe("Done: 12 epochs");
    expect(runStage("cancelled", 3, 13)).toBe("Stopped after 3 of 12 epochs");
  });
});

const version = (over: Partial<ModelVersion>): ModelVersion => ({
  source: "organization",
  name: "mlp-ens5-mp_gap-2026.11-band_gap-ft",
  property: "band_gap",
  method: "composition",
  unit: "eV",
  version: "1.0.0+ft.1",
  status: "candidate",
  in_use: false,
  ...over,
});

describe("groupVersions", () => {
  it("groups by property in catalogue order with what predictions use", () => {
    const shippedGap = version({ source: "shipped", name: "mlp-ens5-mp_gap-2026.11-band_gap", version: "1.0.0", status: "shipped", in_use: false });
    const groups = groupVersions(
      [
        version({ id: 2, number: 2, version: "1.0.0+ft.2", status: "active", in_use: true }),
        version({ id: 1, number: 1, status: "retired" }),
        version({ source: "shipped", property: "formation_energy", name: "mlp-ens5-mp_e_form", version: "1.0.0", status: "shipped", in_use: true, unit: "eV/atom" }),
        version({ source: "shipped", property: "formation_energy", name: "chgnet", method: "structure", status: "shipped", in_use: true }),
        version({ source: "shipped", property: "energy_above_hull", name: "hull", status: "shipped", in_use: true }),
        shippedGap,
      ],
      ["formation_energy", "energy_above_hull", "band_gap"],
    );
    expect(groups.map((g) => g.property)).toEqual(["formation_energy", "band_gap"]);
    const gap = groups[1];
    expect(gap.yours.map((v) => v.id)).toEqual([2, 1]);
    expect(gap.inUse?.id).toBe(2);
    expect(gap.shipped).toBe(shippedGap);
    expect(groups[0].inUse?.name).toBe("mlp-ens5-mp_e_form");
  });

  it("names versions", () => {
    expect(versionName(version({ number: 3, version: "1.0.0+ft.7" }))).toBe("Version 3 (1.0.0+ft.7)");
    expect(versionName(version({ source: "shipped", version: "1.0.0" }))).toBe("Shipped (1.0.0)");
  });
});
