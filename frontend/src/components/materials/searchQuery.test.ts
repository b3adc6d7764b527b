import { describe, expect, it } from "vitest";
import { nextState } from "./PeriodicTable";
import { parseSearch } from "./searchQuery";

describe("parseSearch", () => {
  it("recognises chemical systems, element lists and formulas", () => {
    expect(parseSearch("Fe-O")).toEqual({ kind: "chemical_system", value: "Fe-O" });
    expect(parseSearch("li-fe-p-o")).toEqual({ kind: "chemical_system", value: "Li-Fe-P-O" });
    expect(parseSearch("li-fe-*")).toEqual({ kind: "chemical_system", value: "Li-Fe-*" });
    expect(parseSearch("Fe, O")).toEqual({ kind: "elements", value: ["Fe", "O"] });
    expect(parseSearch("Fe2O3")).toEqual({ kind: "formula", value: "Fe2O3" });
    expect(parseSearch("  ")).toEqual({ kind: "empty" });
  });
  it("cycles periodic-table states include → exclude → off", () => {
    expect(nextState(undefined)).toBe("include");
    expect(nextState("include")).toBe("exclude");
    expect(nextState("exclude")).toBeUndefined();
  });
});
