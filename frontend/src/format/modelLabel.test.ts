import { describe, expect, it } from "vitest";
import { fineTunedVersion, modelLabel, modelTitle } from "./modelLabel";

describe("modelLabel", () => {
  it.each([
    ["7net-0", "1.0", "SevenNet-0 (structure)"],
    ["7net-l3i5", "1.0", "SevenNet-l3i5 (structure)"],
    ["chgnet", "0.3.0", "CHGNet (structure)"],
    ["sevennet-7net-0-mptrj+refs-2026-12-04", "1", "SevenNet-0 (structure)"],
    ["sevennet-7net-l3i5-mptrj+refs-2026-12-04", "1", "SevenNet-l3i5 (structure)"],
    ["chgnet-0.3.0-mptrj+refs-2026-11-26", "1", "CHGNet 0.3.0 (structure)"],
    ["mlp-ens5-mp_gap-2026.11-band_gap", "2.0.0", "Composition ensemble v2"],
    ["mlp-ens5-mp_e_form-2026.11-formation_energy", "1.0.0", "Composition ensemble v1"],
    ["mlp-ens5-mp_gap-2026.11-band_gap-ft", "1.0.0+ft.12", "Composition ensemble v1, fine-tuned (1.0.0+ft.12)"],
    ["chgnet-0.3.0-mptrj+refs-2026-11-26-ft", "0.3.0+ft.4", "CHGNet 0.3.0 (structure), fine-tuned (0.3.0+ft.4)"],
    ["batch", "", "batch job"],
    ["something-else", "1", "something-else"],
  ])("%s v%s → %s", (name, version, want) => {
    expect(modelLabel(name, version)).toBe(want);
  });
  it("keeps the full id for the tooltip", () => {
    expect(modelTitle("mlp-ens5-mp_gap-2026.11-band_gap", "2.0.0")).toBe(
      "mlp-ens5-mp_gap-2026.11-band_gap, version 2.0.0",
    );
    expect(modelTitle("batch", "")).toBe("batch");
  });
});

describe("fineTunedVersion", () => {
  it("recognises the registry's fine-tuned versions only", () => {
    expect(fineTunedVersion("1.0.0+ft.12")).toBe("1.0.0+ft.12");
    expect(fineTunedVersion("0.13.0+refs-2026-12-04")).toBeNull();
    expect(fineTunedVersion("1.0.0")).toBeNull();
    expect(fineTunedVersion(null)).toBeNull();
  });
});
