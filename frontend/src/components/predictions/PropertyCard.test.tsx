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
    expect(within(card).getByTestId("sigma").textContent).toContain("± 0.10");
    expect(within(card).getByTestId("unit").textContent).toBe("eV");
    expect(within(card).getByTestId("interval").textContent).toBe("95 %: 1.39 to 1.79 eV");
    expect(within(card).getByTestId("interval").getAttribute("title")).toMatch(/value ± 2.0 σ, as for a normal distribution/);
    expect(card.textContent).toContain("composition");
    expect(within(card).getByTestId("model").textContent).toBe("Composition ensemble v1");
    expect(within(card).getByTestId("model").getAttribute("title")).toBe(
      "mlp-ens5-mp_gap-2026.11-band_gap, version 1.0.0",
    );
    expect(within(card).getByRole("img").getAttribute("aria-label")).toMatch(
      /Band gap: 1.59 ± 0.10 eV, 95 %: 1.39 to 1.79/,
    );
  });

  it("rounds the value to σ's last digit (issue 17: 0.0199 ± 0.0593)", () => {
    render(<PropertyCard prediction={bandGap({ property: "energy_above_hull", unit: "eV/atom", value: 0.0199, std: 0.0593 })} />);
    expect(screen.getByTestId("value").textContent).toBe("0.020");
    expect(screen.getByTestId("sigma").textContent).toContain("± 0.059");
  });

  it("shows a metal as 'metal', with P(metal) when the model gives it", () => {
    render(<PropertyCard prediction={bandGap({ value: 0.00137, std: 0.238 })} />);
    expect(screen.getByTestId("value").textContent).toBe("metal");
    expect(screen.getByTestId("metal-gap").textContent).toBe("predicted gap 0.00 ± 0.24 eV");
    cleanup();
    render(<PropertyCard prediction={bandGap({ value: 0.2, std: 0.3, details: { p_metal: 0.87 } })} />);
    expect(screen.getByTestId("value").textContent).toBe("metal");
    expect(screen.getByTestId("p-metal").textContent).toContain("P(metal) 0.87");
  });

  it("labels batch-stored values without an empty version", () => {
    render(<PropertyCard prediction={bandGap({ model_name: "batch", model_version: "" })} />);
    expect(screen.getByTestId("model").textContent).toBe("batch job");
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
    expect(screen.getByText("180.40")).toBeTruthy();
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
