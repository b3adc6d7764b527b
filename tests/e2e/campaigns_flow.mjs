// A 3-round discovery campaign in real headless Chromium under the production headers.
// Usage: node tests/e2e/campaigns_flow.mjs BASE_URL ARTIFACT_DIR FORMULA [FORMULA ...]
// Create a project on the projects page; on the project page, a campaign with a window
// whose min > max (the API's 400 detail is shown next to the form), then the real one:
// band gap max, UCB, batch 5, the FORMULAs pasted as its pool. On the campaign page: run
// round 1 (live job progress), read its ranked batch, type a measured value per candidate;
// run round 2, record the model's predictions ("computed"); run round 3. Screenshots
// ARTIFACT_DIR/campaigns-*.png at 1440x900 and 390x844; the shared guard (CSP, console
// errors, failed requests), sideways overflow and axe-core at both sizes. Prints one JSON
// object.
import { mkdirSync } from "node:fs";
import { flowSteps, guard, launch } from "./browser.mjs";

const [base, artifacts, ...formulas] = process.argv.slice(2);
mkdirSync(artifacts, { recursive: true });
const out = { steps: [], failures: {}, sizes: {}, rounds: {}, timings: {} };
const started = Date.now();
const log = (s) => {
  out.steps.push(s);
  process.stderr.write(`[campaigns ${((Date.now() - started) / 1000).toFixed(1)} s] ${s}\n`);
};

const { context, close } = await launch({ width: 1440, height: 900 });
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(60_000);
// the bad window is answered 400 on purpose (an answer the form shows, not a failure)
const { problems, csp } = await guard(context, page, {
  allow: [
    /^HTTP 400 POST .*\/api\/v1\/projects\/\d+\/campaigns$/,
    /^console: Failed to load resource: the server responded with a status of 400 .*\/projects\/\d+\)$/,
  ],
});

const { shots, section } = flowSteps({ page, artifacts, prefix: "campaigns", out, log, csp, idleTimeout: 5000, pauseMs: 300 });

const round = (n) => page.locator(`[data-testid=round][data-index="${n}"]`);

/** The ranked batch of round n as shown: rank, formula, score, predicted, origin, result. */
async function readBatch(n) {
  return round(n)
    .locator("[data-testid=batch-row]")
    .evaluateAll((rows) =>
      rows.map((r) => {
        const cells = [...r.querySelectorAll("td")].map((td) => td.textContent.trim());
        return {
          candidate: Number(r.dataset.candidate),
          formula: r.dataset.formula,
          rank: Number(cells[0]),
          shownFormula: cells[1],
          score: cells[2],
          predicted: r.querySelector("[data-testid=predicted]")?.textContent ?? "",
          origin: cells[4],
          result: r.querySelector("[data-testid=result]")?.textContent ?? "",
          hasInput: r.querySelector("[data-testid=result] input") !== null,
        };
      }),
    );
}

/** Click "Run next round", follow the progress until round n has its ranked batch. */
async function runRound(n) {
  const t0 = Date.now();
  const button = page.getByRole("button", { name: /^Run next round/ });
  await button.waitFor();
  out.rounds[n] = { buttonText: await button.innerText() };
  await button.click();
  // the round appears queued or running with the job's progress bar (a fast job may skip it)
  await Promise.race([
    page.locator("[data-testid=round-progress]").waitFor({ timeout: 20_000 }),
    round(n).locator("[data-testid=batch-row]").first().waitFor({ timeout: 20_000 }),
  ]).catch(() => {});
  out.rounds[n].sawProgress = (await page.locator("[data-testid=round-progress]").count()) > 0;
  out.rounds[n].sawProgressBar = (await page.locator("[data-testid=round-progress] [role=progressbar]").count()) > 0;
  await page.locator(`[data-testid=round][data-index="${n}"][data-status=succeeded]`).waitFor({ timeout: 120_000 });
  await round(n).locator("[data-testid=round-summary]").waitFor();
  out.rounds[n].seconds = (Date.now() - t0) / 1000;
  out.rounds[n].status = await round(n).getAttribute("data-status");
  out.rounds[n].heading = await round(n).locator("h2").innerText();
  out.rounds[n].batch = await readBatch(n);
  out.rounds[n].summary = {
    pool: await round(n).locator("[data-testid=summary-pool]").innerText(),
    excluded: await round(n).locator("[data-testid=summary-excluded]").innerText(),
    best: await round(n).locator("[data-testid=summary-best]").innerText(),
  };
  out.rounds[n].progressGone = (await page.locator("[data-testid=round-progress]").count()) === 0;
  log(`round ${n} in ${out.rounds[n].seconds} s: ${out.rounds[n].batch.map((b) => b.formula).join(", ")}`);
}

try {
  await section("create-project", async () => {
    await page.goto(base + "/projects");
    await page.getByRole("heading", { name: "Projects", level: 1 }).waitFor();
    await page.getByLabel("Name").fill("Campaign screening");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(/\/projects\/\d+$/);
    out.projectUrl = page.url();
    await page.getByRole("heading", { name: "Campaign screening", level: 1 }).waitFor({ timeout: 30_000 });
    out.emptyCampaigns = await page.locator("[data-testid=campaigns-section] .empty").innerText();
    log(`project ${out.projectUrl}`);
  });

  await section("bad-window", async () => {
    const form = page.locator("[data-testid=campaign-form]");
    await form.getByLabel("Campaign name").fill("Wide gaps");
    await form.getByLabel("Objective property").selectOption("band_gap");
    await form.getByLabel("Direction").selectOption("window");
    await form.getByLabel(/^Window min/).fill("3");
    await form.getByLabel(/^Window max/).fill("1");
    await form.getByLabel(/^Formulas, one per line/).fill(formulas.join("\n"));
    out.poolCount = await form.locator("[data-testid=pool-count]").innerText();
    await form.getByRole("button", { name: "Create campaign" }).click();
    const error = form.locator("[data-testid=campaign-form-error] [role=alert]");
    await error.waitFor();
    out.windowError = await error.innerText();
    out.urlAfterError = page.url();
    await shots("form-error");
    log(`window error: ${out.windowError}`);
  });

  await section("create-campaign", async () => {
    const form = page.locator("[data-testid=campaign-form]");
    await form.getByLabel("Direction").selectOption("max");
    await form.getByLabel("Acquisition").selectOption("ucb");
    await form.getByLabel(/^κ/).fill("1");
    await form.getByLabel("Batch size").fill("5");
    await form.getByRole("button", { name: "Create campaign" }).click();
    await page.waitForURL(/\/projects\/\d+\/campaigns\/\d+$/);
    out.campaignUrl = page.url();
    await page.getByRole("heading", { name: "Wide gaps", level: 1 }).waitFor();
    out.settings = await page.locator("[data-testid=campaign-settings]").innerText();
    out.pool = await page.locator("[data-testid=campaign-pool]").innerText();
    log(`campaign ${out.campaignUrl}: ${out.pool}`);
  });

  await section("round-1", async () => {
    await runRound(1);
    await shots("round-1");
  });

  await section("results-1", async () => {
    // a synthetic "truth": 0.4 eV below each prediction, typed into the inputs
    out.typed = {};
    for (const row of out.rounds[1].batch) {
      const mean = Number(row.predicted.split("±")[0].trim().replace("−", "-"));
      const value = Math.max(0, mean - 0.4).toFixed(2);
      out.typed[row.formula] = value;
      await round(1).getByLabel(`Measured band gap of ${row.formula} (eV)`).fill(value);
    }
    await round(1).getByRole("button", { name: "Save measured values" }).click();
    await round(1).locator("[data-testid=results-saved]").waitFor().catch(() => {});
    await page.waitForFunction(() => {
      const rows = document.querySelectorAll('[data-testid=round][data-index="1"] [data-testid=batch-row]');
      return rows.length > 0 && [...rows].every((r) => r.querySelector("[data-testid=result]")?.textContent.includes("(measured)"));
    });
    out.rounds[1].after = await readBatch(1);
    out.rounds[1].buttonsGone = (await round(1).getByRole("button", { name: "Save measured values" }).count()) === 0;
    log(`results 1: ${out.rounds[1].after.map((b) => b.result).join(", ")}`);
  });

  await section("round-2", async () => {
    await runRound(2);
  });

  await section("results-2", async () => {
    await round(2).getByRole("button", { name: "Use model predictions (computed)" }).click();
    await page.waitForFunction(() => {
      const rows = document.querySelectorAll('[data-testid=round][data-index="2"] [data-testid=batch-row]');
      return rows.length > 0 && [...rows].every((r) => r.querySelector("[data-testid=result]")?.textContent.includes("(computed)"));
    });
    out.rounds[2].after = await readBatch(2);
    log(`results 2: ${out.rounds[2].after.map((b) => b.result).join(", ")}`);
  });

  await section("round-3", async () => {
    await runRound(3);
    out.campaignResults = await page.locator("[data-testid=campaign-results]").innerText();
    await shots("round-3");
  });

  await section("list", async () => {
    await page.getByRole("link", { name: "Campaign screening" }).click();
    await page.locator("[data-testid=campaign-row]").first().waitFor();
    // the list shown at once is the one cached when the campaign was created: wait for its refetch
    await page
      .waitForFunction(() => document.querySelector("[data-testid=campaign-rounds]")?.textContent === "3", null, { timeout: 15_000 })
      .catch(() => {});
    out.list = await page.locator("[data-testid=campaign-row]").evaluateAll((rows) =>
      rows.map((r) => ({
        name: r.dataset.name,
        cells: [...r.querySelectorAll("td")].map((td) => td.textContent.trim()),
        href: r.querySelector("a")?.getAttribute("href"),
      })),
    );
    await shots("project");
    log(`list ${JSON.stringify(out.list)}`);
  });
} finally {
  await csp().catch(() => {});
  out.problems = problems;
  out.seconds = (Date.now() - started) / 1000;
  await close();
}
process.stdout.write(JSON.stringify(out) + "\n");
