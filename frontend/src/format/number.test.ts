import { describe, expect, it } from "vitest";
import cases from "./cases.json";
import {
  columnFormatter,
  formatInterval,
  formatNumber,
  formatWithSigma,
  intervalExplanation,
  metalCall,
} from "./number";

describe("number formatter (shared table with the CLI)", () => {
  it("has at least 30 cases", () => {
    const n = cases.number.length + cases.sigma.length + cases.interval.length + cases.column.length;
    expect(n).toBeGreaterThanOrEqual(30);
  });
  it.each(cases.number as Array<[number, string]>)("formatNumber(%s) = %s", (x, want) => {
    expect(formatNumber(x)).toBe(want);
  });
  it.each(cases.sigma as Array<[number, number | null, string]>)("%s ± %s = %s", (v, s, want) => {
    expect(formatWithSigma(v, s)).toBe(want);
  });
  it.each(cases.interval as Array<[number, number, number, string]>)(
    "interval %s..%s (%s decimals) = %s",
    (lo, hi, d, want) => {
      expect(formatInterval(lo, hi, d)).toBe(want);
    },
  );
  it.each(cases.column as Array<[Array<number | null>, string[]]>)("column %j", (values, want) => {
    const f = columnFormatter(values);
    expect(values.map(f)).toEqual(want);
  });
  it("never uses e-notation for ordinary magnitudes", () => {
    for (let e = -4; e < 6; e++) {
      for (const m of [1, 1.06, 8.33, 9.999]) expect(formatNumber(m * 10 ** e)).not.toMatch(/e/);
    }
  });
});

describe("metals and intervals", () => {
  it("calls a gap that rounds to zero at σ's precision a metal", () => {
    expect(metalCall({ property: "band_gap", value: 0.00137, std: 0.238 })).toEqual({ pMetal: null });
    expect(metalCall({ property: "band_gap", value: 1.18, std: 0.382 })).toBeNull();
    expect(metalCall({ property: "formation_energy", value: 0, std: 0.1 })).toBeNull();
  });
  it("uses the classifier's P(metal) when the model gives one", () => {
    const d = (p: number) => ({ property: "band_gap", value: 0.3, std: 0.2, details: { p_metal: p } });
    expect(metalCall(d(0.93))).toEqual({ pMetal: 0.93 });
    expect(metalCall(d(0.2))).toBeNull();
  });
  it("explains a conformal interval wider than 1.96 σ", () => {
    const text = intervalExplanation(1.0, 0.3, 1.0 - 2.88 * 0.3, 1.0 + 2.88 * 0.3);
    expect(text).toContain("value ± 2.9 σ");
    expect(text).toContain("wider than the ±1.96 σ");
  });
});
