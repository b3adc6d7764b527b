import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { neighbourElement, PeriodicTable } from "./PeriodicTable";

afterEach(cleanup);

describe("periodic table keyboard navigation", () => {
  it("moves by arrow keys through the grid", () => {
    expect(neighbourElement("C", "ArrowRight")).toBe("N");
    expect(neighbourElement("N", "ArrowRight")).toBe("O");
    expect(neighbourElement("O", "ArrowDown")).toBe("S");
    expect(neighbourElement("H", "ArrowRight")).toBe("He");
    expect(neighbourElement("He", "ArrowDown")).toBe("Ne");
    expect(neighbourElement("H", "ArrowUp")).toBe("H");
  });

  it("keeps one tab stop and moves focus with the arrows; Enter toggles", () => {
    let value = {};
    render(<PeriodicTable value={value} onChange={(v) => (value = v)} />);
    const h = screen.getByRole("button", { name: "H" });
    expect(h.getAttribute("tabindex")).toBe("0");
    expect(screen.getByRole("button", { name: "O" }).getAttribute("tabindex")).toBe("-1");
    h.focus();
    fireEvent.keyDown(h, { key: "ArrowDown" });
    expect(document.activeElement?.textContent).toBe("Li");
    fireEvent.click(document.activeElement as HTMLElement);
    expect(value).toEqual({ Li: "include" });
  });
});
