import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GET, POST, calls, postRoutes, renderWithClient, resetApi, type Call } from "../../test/mockApi";
import { compoundItem, item, parity, recalibration } from "../../test/projectFixtures";
import { parseItemInput } from "./AddItemForm";
import { ItemTable, parseTags, sortItems } from "./ItemTable";
import { MeasurementUpload } from "./MeasurementUpload";
import { ParityPanel } from "./ParityPanel";
import { RecalibrationPanel } from "./RecalibrationPanel";

// PATCH answered like GET / POST (the shared mock has no PATCH)
const patchRoutes = new Map<string, (c: Call) => { status: number; body: unknown }>();
const PATCH = vi.fn(async (path: string, init?: { params?: Call["params"]; body?: unknown }) => {
  const call = { path, params: init?.params ?? {}, body: init?.body };
  calls.push(call);
  const { status, body } = patchRoutes.get(path)?.(call) ?? { status: 404, body: { detail: "no route" } };
  const ok = status >= 200 && status < 300;
  return ok ? { data: body, response: { ok, status } as Response } : { error: body, response: { ok, status } as Response };
});

vi.mock("../../client/api", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../client/api")>()),
  api: {
    GET: (...args: Parameters<typeof GET>) => GET(...args),
    POST: (...args: Parameters<typeof POST>) => POST(...args),
    PATCH: (...args: Parameters<typeof PATCH>) => PATCH(...args),
  },
}));

beforeEach(() => {
  resetApi();
  patchRoutes.clear();
  PATCH.mockClear();
});
afterEach(cleanup);

const ITEM = "/api/v1/projects/{project_id}/items/{item_id}";
const MEASUREMENTS = "/api/v1/projects/{project_id}/measurements";

describe("ItemTable", () => {
  it("shows predicted ± σ, the recalibrated value, measured ± uncertainty and the reference", () => {
    renderWithClient(<ItemTable projectId={7} items={[item(), compoundItem()]} property="band_gap" onChanged={() => {}} />);
    const [tio2, zno] = screen.getAllByTestId("project-item");
    // σ to two significant figures, the value rounded to σ's last digit
    expect(within(tio2).getByTestId("predicted").textContent).toContain("2.66 ± 0.38");
    expect(within(tio2).getByTestId("predicted").textContent).toContain("Composition ensemble v1");
    expect(within(tio2).getByTestId("measured").textContent).toBe("3.030 ± 0.050");
    expect(within(tio2).getByTestId("reference").textContent).toBe("—");
    expect(within(zno).getByTestId("predicted").textContent).toContain("1.90 ± 0.50");
    expect(within(zno).getByTestId("predicted").textContent).toContain("3.10 ± 0.42 (recalibrated on 25 measurements)");
    expect(within(zno).getByTestId("reference").textContent).toBe("0.730");
    expect(within(zno).getByRole("link").getAttribute("href")).toBe("/compounds/ZnO");
    expect(within(tio2).getByRole("link").getAttribute("href")).toBe("/materials/42");
    expect(screen.getByRole("columnheader", { name: /Predicted Band gap \(eV\)/ })).toBeTruthy();
  });

  it("sorts by a column when its header is clicked, and reverses on a second click", () => {
    const items = [item(), compoundItem(), item({ id: 3, reduced_formula: "MgO", measured: { band_gap: [{ measurement_id: 9, value: 7.8, uncertainty: 0.2, version: 1, method: null, sample_id: null }] } })];
    renderWithClient(<ItemTable projectId={7} items={items} property="band_gap" onChanged={() => {}} />);
    const order = () => screen.getAllByTestId("project-item").map((r) => r.dataset.formula);
    expect(order()).toEqual(["TiO2", "ZnO", "MgO"]);
    const measured = screen.getByRole("button", { name: /^Measured/ });
    fireEvent.click(measured);
    // items without the value sort last in either direction
    expect(order()).toEqual(["TiO2", "MgO", "ZnO"]);
    fireEvent.click(measured);
    expect(order()).toEqual(["MgO", "TiO2", "ZnO"]);
    expect(measured.closest("th")?.getAttribute("aria-sort")).toBe("descending");
  });

  it("saves a status change and new tags with PATCH", async () => {
    const onChanged = vi.fn();
    patchRoutes.set(ITEM, (c) => ({ status: 200, body: item(c.body as object) }));
    renderWithClient(<ItemTable projectId={7} items={[item()]} property="band_gap" onChanged={onChanged} />);
    fireEvent.change(screen.getByRole("combobox", { name: "Status of TiO2" }), { target: { value: "measured" } });
    await waitFor(() => expect(onChanged).toHaveBeenCalledTimes(1));
    expect(calls[0]).toMatchObject({ path: ITEM, params: { path: { project_id: 7, item_id: 1 } }, body: { status: "measured" } });
    const tags = screen.getByRole("textbox", { name: /Tags of TiO2/ });
    fireEvent.change(tags, { target: { value: " rutile , thin film,," } });
    fireEvent.keyDown(tags, { key: "Enter" });
    await waitFor(() => expect(onChanged).toHaveBeenCalledTimes(2));
    expect(calls[1].body).toEqual({ tags: ["rutile", "thin film"] });
  });

  it("lists notes with author and time and adds one", async () => {
    const note = { id: 4, project_id: 7, item_id: 1, author_id: 3, text: "PL at 300 K", created_at: "2026-03-14T10:00:00Z" };
    postRoutes.set("/api/v1/projects/{project_id}/notes", () => ({ status: 201, body: note }));
    const onChanged = vi.fn();
    renderWithClient(<ItemTable projectId={7} items={[item({ notes: [note] })]} property="band_gap" onChanged={onChanged} />);
    expect(screen.getByText("1 note")).toBeTruthy();
    expect(screen.getByTestId("note").textContent).toContain("user #3");
    expect(screen.getByTestId("note").querySelector("time")?.getAttribute("dateTime")).toBe(note.created_at);
    fireEvent.change(screen.getByLabelText("Note on TiO2"), { target: { value: "second" } });
    fireEvent.click(screen.getByRole("button", { name: "Save note" }));
    await waitFor(() => expect(onChanged).toHaveBeenCalled());
    expect(calls[0].body).toEqual({ text: "second", item_id: 1 });
  });

  it("sortItems and parseTags are pure helpers", () => {
    expect(sortItems([compoundItem(), item()], "formula", "asc", "band_gap").map((i) => i.reduced_formula)).toEqual(["TiO2", "ZnO"]);
    expect(parseTags("a, b c ,")).toEqual(["a", "b c"]);
  });
});

describe("MeasurementUpload", () => {
  const file = new File(["formula,property,value\nZnO,band_gap,x\n"], "gaps.csv", { type: "text/csv" });
  const sentForm = () => {
    const init = POST.mock.calls[0][1] as unknown as { bodySerializer: () => FormData };
    return init.bodySerializer();
  };

  it("lists every bad row of a rejected file, row by row", async () => {
    postRoutes.set(MEASUREMENTS, () => ({
      status: 422,
      body: {
        detail: "2 bad row(s); nothing was stored",
        errors: [
          { row: 3, column: "value", message: "not a number: 'x'" },
          { row: 5, column: "unit", message: "unknown unit 'parsec'" },
        ],
      },
    }));
    const onStored = vi.fn();
    renderWithClient(<MeasurementUpload projectId={7} onStored={onStored} />);
    fireEvent.change(screen.getByTestId("measurements-file"), { target: { files: [file] } });
    fireEvent.click(screen.getByRole("button", { name: "Upload measurements" }));
    const box = await screen.findByTestId("upload-rejected");
    expect(box.textContent).toContain("Nothing was stored");
    const rows = within(box).getAllByTestId("row-error").map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent));
    expect(rows).toEqual([
      ["3", "value", "not a number: 'x'"],
      ["5", "unit", "unknown unit 'parsec'"],
    ]);
    expect(onStored).not.toHaveBeenCalled();
    expect(sentForm().get("store_valid_rows")).toBe("false");
    expect((sentForm().get("file") as File).name).toBe("gaps.csv");
  });

  it("stores the valid rows when asked and lists the rows left out", async () => {
    postRoutes.set(MEASUREMENTS, () => ({
      status: 201,
      body: { stored: 2, measurement_ids: [1, 2], items_added: [], ignored_columns: [], errors: [{ row: 3, column: "value", message: "not a number: 'x'" }] },
    }));
    const onStored = vi.fn();
    renderWithClient(<MeasurementUpload projectId={7} onStored={onStored} />);
    fireEvent.change(screen.getByTestId("measurements-file"), { target: { files: [file] } });
    fireEvent.click(screen.getByRole("checkbox", { name: /Store the valid rows/ }));
    fireEvent.click(screen.getByRole("button", { name: "Upload measurements" }));
    const result = await screen.findByTestId("upload-result");
    expect(result.textContent).toContain("Stored 2 measurements");
    expect(within(result).getAllByTestId("row-error")).toHaveLength(1);
    expect(onStored).toHaveBeenCalled();
    expect(sentForm().get("store_valid_rows")).toBe("true");
  });
});

describe("ParityPanel", () => {
  it("draws one marker per point with the metrics, per-model table and residuals by chemistry", () => {
    renderWithClient(<ParityPanel parity={parity()} />);
    const svg = screen.getByTestId("project-parity-plot").querySelector("svg")!;
    expect(svg.querySelectorAll(".project-points circle")).toHaveLength(3);
    expect(svg.querySelectorAll(".error-bar")).toHaveLength(3);
    expect([...svg.querySelectorAll(".point-labels text")].map((t) => t.textContent).sort()).toEqual(["GaAs", "MgO", "TiO2"]);
    const metric = (k: string) => screen.getByTestId("parity-metrics").querySelector(`[data-metric=${k}]`)?.textContent;
    expect(metric("n")).toBe("3");
    expect(metric("mae")).toBe("0.421 eV");
    expect(metric("bias")).toBe("-0.31 eV");
    expect(metric("coverage95")).toBe("67 %");
    expect(within(screen.getByTestId("per-model")).getByText("Composition ensemble v1")).toBeTruthy();
    const residuals = screen.getByTestId("residuals-plot");
    expect(residuals.querySelectorAll("[data-family]")).toHaveLength(2);
    expect(residuals.querySelectorAll("circle.residual")).toHaveLength(3);
    expect(screen.getByTestId("residuals-table").textContent).toContain("pnictides");
  });

  it("shows the recalibrated points and numbers when a recalibration is on", () => {
    const rec = recalibration({ enabled: true });
    const p = parity({
      points: parity().points.map((pt) => ({ ...pt, recalibrated: pt.measured + 0.1, recalibrated_sigma: 0.2 })),
      recalibrated_metrics: { n: 3, mae: 0.1, rmse: 0.1, bias: 0.1, coverage95: 1, spearman: 1 },
      recalibration: rec,
    });
    renderWithClient(<ParityPanel parity={p} />);
    const svg = screen.getByTestId("project-parity-plot").querySelector("svg")!;
    expect(svg.querySelectorAll(".recalibrated-points path")).toHaveLength(3);
    expect(screen.getByText("Recalibrated (recalibrated on 25 measurements)")).toBeTruthy();
    expect(screen.getByTestId("recalibrated-metrics").querySelector("[data-metric=coverage95]")?.textContent).toBe("100 %");
  });

  it("says so when there is nothing to compare", () => {
    renderWithClient(<ParityPanel parity={parity({ points: [], metrics: null, per_model: [], by_chemistry: [], skipped: 2 })} />);
    expect(screen.getByTestId("parity-empty").textContent).toContain("2 measurement(s) have no prediction");
  });
});

describe("RecalibrationPanel", () => {
  it("fits a recalibration of the property and turns a version on", async () => {
    postRoutes.set("/api/v1/projects/{project_id}/recalibrations", () => ({ status: 201, body: recalibration() }));
    patchRoutes.set("/api/v1/projects/{project_id}/recalibrations/{recalibration_id}", () => ({
      status: 200,
      body: recalibration({ enabled: true }),
    }));
    const onChanged = vi.fn();
    renderWithClient(
      <RecalibrationPanel projectId={7} property="band_gap" recalibrations={[recalibration(), recalibration({ id: 6, property: "bulk_modulus" })]} onChanged={onChanged} />,
    );
    // only this property's versions, with "recalibrated on N measurements"
    expect(screen.getAllByTestId("recalibration")).toHaveLength(1);
    expect(screen.getByTestId("recalibration").textContent).toContain("recalibrated on 25 measurements");
    expect(screen.getByTestId("recalibration").textContent).toContain("0.61 → 0.32");
    fireEvent.click(screen.getByRole("button", { name: "Fit a recalibration of band gap" }));
    await waitFor(() => expect(onChanged).toHaveBeenCalledTimes(1));
    expect(calls[0].body).toEqual({ property: "band_gap" });
    fireEvent.click(screen.getByRole("checkbox", { name: /Use recalibration v1/ }));
    await waitFor(() => expect(onChanged).toHaveBeenCalledTimes(2));
    expect(calls[1]).toMatchObject({ params: { path: { project_id: 7, recalibration_id: 5 } }, body: { enabled: true } });
  });

  it("shows the server's reason when there are too few measurements", async () => {
    postRoutes.set("/api/v1/projects/{project_id}/recalibrations", () => ({
      status: 400,
      body: { detail: "too few measurements to recalibrate (3; at least 5)" },
    }));
    renderWithClient(<RecalibrationPanel projectId={7} property="band_gap" recalibrations={[]} onChanged={() => {}} />);
    fireEvent.click(screen.getByRole("button", { name: /Fit a recalibration/ }));
    expect((await screen.findByRole("alert")).textContent).toContain("too few measurements");
  });
});

describe("parseItemInput", () => {
  it("reads a number as a material id and anything else as a formula", () => {
    expect(parseItemInput(" 42 ")).toEqual({ material_id: 42 });
    expect(parseItemInput("#7")).toEqual({ material_id: 7 });
    expect(parseItemInput("ZnO")).toEqual({ formula: "ZnO" });
    expect(parseItemInput("  ")).toBeNull();
  });
});
