import { describe, expect, it } from "vitest";
import { uploadErrorText } from "./Dropzone";

describe("upload errors", () => {
  it("do not repeat the file name the list already shows", () => {
    expect(uploadErrorText({ filename: "bad.cif", error: "bad.cif: no structure found" }, "bad.cif")).toBe(
      "no structure found",
    );
    expect(uploadErrorText({ filename: "bad.cif", error: "no structure found" }, "bad.cif")).toBe("no structure found");
  });
  it("keep the member name of a zip", () => {
    expect(uploadErrorText({ filename: "set.zip/x.cif", error: "x.cif: empty" }, "set.zip")).toBe("set.zip/x.cif: empty");
  });
});
