import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GET, POST, calls, postRoutes, renderWithClient, resetApi } from "../../test/mockApi";
import type { Campaign, Round } from "./campaignApi";
import { CampaignCreateForm } from "./CampaignCreateForm";
import { CampaignList } from "./CampaignList";
import { buildCampaignRequest, buildResultValues, INITIAL_FORM, objectiveText, poolLines } from "./campaignForm";
import { originText, RoundView } from "./RoundView";

vi.mock("../../client/api", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../client/api")>()),
  api: {
    GET: (...args: Parameters<typeof GET>) => GET(...args),
    POST: (...args: Parameters<typeof POST>) => POST(...args),
  },
}));

beforeEach(resetApi);
afterEach(cleanup);

const CAMPAIGNS = "/api/v1/projects/{project_id}/campaigns";
const RESULTS = "/api/v1/projects/{project_id}/campaigns/{campaign_id}/rounds/{round_index}/results";

const campaign = (over: Partial<Campaign> = {}): Campaign => ({
  id: 3,
  project_id: 7,
  name: "Wide gaps",
  objectives: [{ property: "band_gap", direction: "max" }],
  acquisition: "ucb",
  kappa: 1,
  batch_size: 5,
  diversity: 0,
  constraints: {},
  pool_source: "uploaded",
  pool: { source: "uploaded" },
  status: "ready",
  n_candidates: 30,
  n_chosen: 10,
  n_results: 10,
  n_rounds: 2,
  best: { band_gap: 7.62 },
  created_at: "2026-12-06T01:00:00Z",
  ...over,
});

const round = (over: Partial<Round> = {}): Round => ({
  id: 11,
  index: 1,
  job_id: 40,
  status: "succeeded",
  batch: [
    {
      rank: 1,
      candidate_id: 101,
      formula: "Al2O3",
      material_id: null,
      origin: { kind: "uploaded", input: "Al2O3" },
      score: 8.1,
      adjusted_score: 8.1,
      mean: { band_gap: 7.2 },
      std: { band_gap: 0.9 },
      results: {},
    },
    {
      rank: 2,
      candidate_id: 102,
      formula: "MgO",
      material_id: null,
      origin: { kind: "uploaded", input: "MgO" },
      score: 7.5,
      adjusted_score: 7.5,
      mean: { band_gap: 6.6 },
      std: { band_gap: 0.9 },
      results: { band_gap: { value: 7.8, uncertainty: null, source: "measured" } },
    },
  ],
  model_versions: {},
  refit: { band_gap: { kind: "none" } },
  summary: { n_pool: 30, n_available: 30, n_previously_chosen: 0, n_excluded: 2, excluded_reasons: { "excluded element": 2 }, best_observed: {}, n_results: 0 },
  error: null,
  created_at: "2026-12-06T01:00:00Z",
  finished_at: "2026-12-06T01:00:10Z",
  ...over,
});

describe("buildCampaignRequest", () => {
  const form = { ...INITIAL_FORM, name: " Wide gaps ", formulas: "ZnO\n\n GaN \r\nTiO2\n" };

  it("builds the POST body from the form: one objective, acquisition, κ, batch, pasted pool", () => {
    expect(buildCampaignRequest(form)).toEqual({
      body: {
        name: "Wide gaps",
        objectives: [{ property: "band_gap", direction: "max" }],
        acquisition: "ucb",
        kappa: 1,
        batch_size: 5,
        diversity: 0,
        pool: { source: "uploaded", text: "ZnO\nGaN\nTiO2", max_atoms: 8, max_coefficient: 6 },
      },
    });
  });

  it("sends a window's bounds (also min > max: the server's 400 names that) and the project pool", () => {
    const built = buildCampaignRequest({ ...form, direction: "window", min: "3", max: "−1", pool: "project", formulas: "" });
    expect(built).toMatchObject({
      body: { objectives: [{ property: "band_gap", direction: "window", min: 3, max: -1 }], pool: { source: "project" } },
    });
  });

  it("names what the form itself can see is wrong", () => {
    expect(buildCampaignRequest({ ...form, name: "  " })).toEqual({ error: "Give the campaign a name." });
    expect(buildCampaignRequest({ ...form, formulas: " \n " })).toEqual({ error: "Paste the candidate formulas, one per line." });
    expect(buildCampaignRequest({ ...form, direction: "window", min: "1" })).toEqual({
      error: "A window needs both a minimum and a maximum.",
    });
    expect(buildCampaignRequest({ ...form, direction: "window", min: "1", max: "two" })).toEqual({
      error: "The window's bounds must be numbers.",
    });
    expect(buildCampaignRequest({ ...form, batchSize: "2.5" })).toEqual({ error: "The batch size must be a whole number." });
    expect(buildCampaignRequest({ ...form, kappa: "" })).toEqual({ error: "κ must be a number (in σ, e.g. 1)." });
  });

  it("counts pasted lines and describes objectives", () => {
    expect(poolLines("a\r\nb\rc\n\n")).toEqual(["a", "b", "c"]);
    expect(objectiveText({ property: "band_gap", direction: "max" })).toBe("Band gap: maximise");
    expect(objectiveText({ property: "band_gap", direction: "window", min: 1.1, max: 1.7 })).toBe("Band gap in 1.1 to 1.7 eV");
  });
});

describe("buildResultValues", () => {
  it("keeps the filled inputs as typed values with their property", () => {
    expect(buildResultValues({ "101:band_gap": " 2.5 ", "102:band_gap": "", "103:band_gap": "−0.1" })).toEqual({
      values: [
        { candidate_id: 101, property: "band_gap", value: 2.5 },
        { candidate_id: 103, property: "band_gap", value: -0.1 },
      ],
    });
  });

  it("names the input that is not a number, and asks for at least one value", () => {
    expect(buildResultValues({ "101:band_gap": "2,5" }, { "101:band_gap": "ZnO, Band gap" })).toEqual({
      error: 'Not a number: "2,5" (ZnO, Band gap).',
    });
    expect(buildResultValues({ "101:band_gap": "" })).toEqual({ error: "Type at least one measured value." });
  });
});

describe("CampaignCreateForm", () => {
  it("posts the campaign and hands it over", async () => {
    const onCreated = vi.fn();
    postRoutes.set(CAMPAIGNS, () => ({ status: 201, body: campaign() }));
    renderWithClient(<CampaignCreateForm projectId={7} nItems={4} onCreated={onCreated} />);
    fireEvent.change(screen.getByLabelText("Campaign name"), { target: { value: "Wide gaps" } });
    fireEvent.change(screen.getByLabelText(/^Formulas, one per line/), { target: { value: "ZnO\nGaN" } });
    expect(screen.getByTestId("pool-count").textContent).toBe("2 lines");
    fireEvent.click(screen.getByRole("button", { name: "Create campaign" }));
    await waitFor(() => expect(onCreated).toHaveBeenCalledTimes(1));
    expect(calls[0]).toMatchObject({ path: CAMPAIGNS, params: { path: { project_id: 7 } }, body: { name: "Wide gaps" } });
  });

  it("shows the API's 400 detail next to the form", async () => {
    postRoutes.set(CAMPAIGNS, () => ({ status: 400, body: { detail: "objective band_gap: window min 3 > max 1" } }));
    renderWithClient(<CampaignCreateForm projectId={7} nItems={0} onCreated={() => {}} />);
    fireEvent.change(screen.getByLabelText("Campaign name"), { target: { value: "W" } });
    fireEvent.change(screen.getByLabelText("Direction"), { target: { value: "window" } });
    fireEvent.change(screen.getByLabelText("Window min (eV)"), { target: { value: "3" } });
    fireEvent.change(screen.getByLabelText("Window max (eV)"), { target: { value: "1" } });
    fireEvent.click(screen.getByLabelText(/This project's items/));
    fireEvent.click(screen.getByRole("button", { name: "Create campaign" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe("Not created: objective band_gap: window min 3 > max 1");
    expect(calls[0].body).toMatchObject({ pool: { source: "project" } });
  });

  it("does not post what it can see is incomplete", () => {
    renderWithClient(<CampaignCreateForm projectId={7} nItems={0} onCreated={() => {}} />);
    fireEvent.click(screen.getByRole("button", { name: "Create campaign" }));
    expect(screen.getByRole("alert").textContent).toBe("Give the campaign a name.");
    expect(calls).toEqual([]);
  });
});

describe("CampaignList", () => {
  it("lists name, objectives, acquisition, rounds done and links", () => {
    renderWithClient(<CampaignList projectId={7} campaigns={[campaign(), campaign({ id: 4, name: "B", status: "running", n_rounds: 3 })]} />);
    const [a, b] = screen.getAllByTestId("campaign-row");
    expect(within(a).getByRole("link").getAttribute("href")).toBe("/projects/7/campaigns/3");
    expect([...a.querySelectorAll("td")].map((td) => td.textContent)).toEqual([
      "Wide gaps",
      "Band gap: maximise",
      "ucb (κ 1)",
      "2",
      "30",
      "10",
      "Band gap 7.62 eV",
    ]);
    expect(within(b).getByTestId("campaign-rounds").textContent).toBe("2 (+1 running)");
  });
});

describe("RoundView", () => {
  it("shows the ranked batch with mean ± σ and results, and posts typed values", async () => {
    const onChanged = vi.fn();
    postRoutes.set(RESULTS, () => ({ status: 201, body: { recorded: [{}], skipped: [] } }));
    renderWithClient(<RoundView projectId={7} campaignId={3} round={round()} objectives={[{ property: "band_gap", direction: "max" }]} onChanged={onChanged} />);
    const [al2o3, mgo] = screen.getAllByTestId("batch-row");
    expect(within(al2o3).getByTestId("predicted").textContent).toBe("7.20 ± 0.90");
    expect(within(mgo).getByTestId("result").textContent).toBe("7.8 eV (measured)");
    expect(screen.getByRole("columnheader", { name: "Predicted Band gap (eV)" })).toBeTruthy();
    expect(screen.getByTestId("summary-excluded").textContent).toBe("excluded element: 2");
    fireEvent.change(screen.getByLabelText("Measured band gap of Al2O3 (eV)"), { target: { value: "6.9" } });
    fireEvent.click(screen.getByRole("button", { name: "Save measured values" }));
    await waitFor(() => expect(onChanged).toHaveBeenCalledTimes(1));
    expect(calls[0]).toMatchObject({
      path: RESULTS,
      params: { path: { project_id: 7, campaign_id: 3, round_index: 1 } },
      body: { source: "values", values: [{ candidate_id: 101, property: "band_gap", value: 6.9 }] },
    });
    expect((await screen.findByTestId("results-saved")).textContent).toBe("Saved 1 result.");
  });

  it("records the model's predictions as computed results", async () => {
    postRoutes.set(RESULTS, () => ({ status: 201, body: { recorded: [{}, {}], skipped: [] } }));
    renderWithClient(<RoundView projectId={7} campaignId={3} round={round()} objectives={[{ property: "band_gap", direction: "max" }]} onChanged={() => {}} />);
    fireEvent.click(screen.getByRole("button", { name: "Use model predictions (computed)" }));
    await screen.findByTestId("results-saved");
    expect(calls[0].body).toEqual({ source: "computed", values: [] });
  });

  it("names the origin of a candidate", () => {
    expect(originText({ kind: "uploaded", input: "ZnO" })).toBe("pasted: ZnO");
    expect(originText({ kind: "project", item_id: 4 })).toBe("project item #4");
    expect(originText({ kind: "enumeration" })).toBe("enumeration");
  });
});
