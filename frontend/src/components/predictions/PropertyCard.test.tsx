import { cleanup, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { bandGap } from "../../test/fixtures";
import { barGeometry, PropertyCard, PropertyCards } from "./PropertyCard";
import { PredictionHistory } from "./PredictionHistory";

afterEach(cleanup);

describe("PropertyCard", () => {
  it("shows value, ±σ, unit, 95 % interval, method and model version", () => {
    render(<PropertyCard prediction={bandGap()} />);
    const card = screen.getByTestId("property-card");
    expect(within(card).getByRole("heading").textContent).toBe("Band gap");
    expect(within(card).getByTestId("value").textContent).toBe("1.59");
    expect(within(card).getByTestId("sigma").textContent).toContain("± 0.103");
    expect(within(card).getByTestId("unit").textContent).toBe("eV");
    expect(card.textContent).toContain("1.39 to 1.79 eV");
    expect(card.textContent).toContain("composition");
    expect(card.textContent).toContain("v1.0.0");
    expect(within(card).getByRole("img").getAttribute("aria-label")).toMatch(
      /Band gap: 1.59 ± 0.103 eV, 95 % interval 1.39 to 1.79/,
    );
  });

  it("flags out-of-domain predictions and lists warnings", () => {
    render(<PropertyCard prediction={bandGap({ in_domain: false, warnings: ["contains Pu"] })} />);
    expect(screen.getByText(/outside the training domain/i)).toBeTruthy();
    expect(screen.getByText("contains Pu")).toBeTruthy();
  });

  it("omits the σ bar when the model gives no uncertainty", () => {
    render(<PropertyCard prediction={bandGap({ std: null, interval_low: null, interval_high: null })} />);
    expect(screen.queryByTestId("sigma")).toBeNull();
    expect(screen.queryByRole("img")).toBeNull();
  });

  it("renders one card per prediction, band gap first", () => {
    render(
      <PropertyCards
        predictions={[bandGap({ id: 8, property: "bulk_modulus", unit: "GPa", value: 180.4 }), bandGap()]}
      />,
    );
    const cards = screen.getAllByTestId("property-card");
    expect(cards.map((c) => c.dataset.property)).toEqual(["band_gap", "bulk_modulus"]);
    expect(screen.getByText("Bulk modulus")).toBeTruthy();
    expect(screen.getByText("180")).toBeTruthy();
  });

  it("lists the history newest first as given", () => {
    render(<PredictionHistory history={[bandGap(), bandGap({ id: 3, value: 1.2 })]} />);
    expect(screen.getAllByRole("row")).toHaveLength(3);
  });
});

describe("barGeometry", () => {
  it("places value, σ box and interval inside the bar, in order", () => {
    const g = barGeometry(bandGap());
    expect(g.intervalLow).toBeGreaterThan(0);
    expect(g.intervalHigh).toBeLessThan(100);
    expect(g.intervalLow).toBeLessThan(g.sigmaLow);
    expect(g.sigmaLow).toBeLessThan(g.value);
    expect(g.value).toBeLessThan(g.sigmaHigh);
    expect(g.sigmaHigh).toBeLessThan(g.intervalHigh);
  });
});
