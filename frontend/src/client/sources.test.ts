import { describe, expect, it } from "vitest";
import { databaseName } from "./sources";

describe("database names", () => {
  it("names databases for people", () => {
    expect(databaseName("materials_project")).toBe("Materials Project");
    expect(databaseName("some_db")).toBe("some db");
    expect(databaseName(null)).toBe("—");
  });
});
