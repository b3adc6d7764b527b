import { cleanup, render } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { Formula, formulaParts } from "./Formula";

afterEach(cleanup);

describe("Formula", () => {
  it("puts counts in subscripts and keeps the text", () => {
    const { container } = render(<Formula formula="LiFePO4" />);
    expect(container.textContent).toBe("LiFePO4");
    expect([...container.querySelectorAll("sub")].map((s) => s.textContent)).toEqual(["4"]);
  });

  it("splits fractional and multi-digit counts", () => {
    expect(formulaParts("Ba0.5Sr0.5TiO3").filter((p) => p.sub).map((p) => p.text)).toEqual(["0.5", "0.5", "3"]);
    expect(formulaParts("Fe12O19").map((p) => p.text)).toEqual(["Fe", "12", "O", "19"]);
  });
});
