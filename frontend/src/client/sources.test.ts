import { describe, expect, it } from "vitest";
import { databaseName, entryLabel, entryUrl } from "./sources";

describe("reference entry labels", () => {
  it("reads a table row as collection, table and row; keeps citable ids", () => {
    expect(entryLabel("mp_e_form:75208")).toBe("Matbench mp_e_form, row 75208");
    expect(entryLabel("mp_e_hull:12")).toBe("CrabNet mp_e_hull, row 12");
    expect(entryLabel("oqmd_bandgap:3")).toBe("OQMD oqmd_bandgap, row 3");
    expect(entryLabel("mp-22862")).toBe("mp-22862");
  });

  it("links MP ids and unambiguous AFLOW prototypes, nothing else", () => {
    expect(entryUrl("materials_project", "mp-22862")).toBe(
      "https://next-gen.materialsproject.org/materials/mp-22862",
    );
    expect(entryUrl("aflow_prototypes", "AB_cF8_225_a_b")).toBe(
      "https://aflow.org/prototype-encyclopedia/AB_cF8_225_a_b.html",
    );
    expect(entryUrl("aflow_prototypes", "AB_cF8_225_a_b.NaCl")).toBeNull();
    expect(entryUrl("materials_project", "mp_e_form:75208")).toBeNull();
    expect(entryUrl("ase_dcdft", "dcdft:Fe")).toBeNull();
  });

  it("names databases for people", () => {
    expect(databaseName("materials_project")).toBe("Materials Project");
    expect(databaseName("some_db")).toBe("some db");
    expect(databaseName(null)).toBe("—");
  });
});
