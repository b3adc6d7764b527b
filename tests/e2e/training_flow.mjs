// Fine-tuning a model in real headless Chromium under the production headers. Usage:
//   node tests/e2e/training_flow.mjs BASE_URL ARTIFACT_DIR MEASUREMENTS_CSV CIF FORMULA EPOCHS
// Upload the structure CIF (a material predicted with the shipped model); create a
// project and upload MEASUREMENTS_CSV (measured band gaps) on its page; follow its
// "Fine-tune a model" link to the models page and start a run of EPOCHS epochs; watch the
// progress and learning curve; read the comparison (held-out and shipped test split side
// by side), the held-out parity plot and the MLflow run id; promote after the
// confirmation; predict FORMULA on the front page and predict the material again (the
// fine-tuned version is shown and recorded); roll back on the models page; predict both
// again (the shipped version). Screenshots ARTIFACT_DIR/training-*.png at 1440x900 and
// 390x844; the shared guard (CSP, console errors, failed requests), sideways overflow and
// axe-core at both sizes. Prints one JSON object.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { countSvgPixels, flowSteps, guard, launch } from "./browser.mjs";

const [base, artifacts, csv, cif, formula, epochs] = process.argv.slice(2);
mkdirSync(artifacts, { recursive: true });
const out = { steps: [], failures: {}, sizes: {}, timings: {}, predictions: {} };
const started = Date.now();
const log = (s) => {
  out.steps.push(s);
  process.stderr.write(`[training ${((Date.now() - started) / 1000).toFixed(1)} s] ${s}\n`);
};

const { context, close } = await launch({ width: 1440, height: 900 });
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(60_000);
const { problems, csp } = await guard(context, page);
// the run's event stream keeps the network busy: settle waits at most 4 s for quiet
const { shots, section } = flowSteps({ page, artifacts, prefix: "training", out, log, csp, idleTimeout: 4000, pauseMs: 300 });

/** The text of an element that may be absent ("" without waiting for it). */
const textIfAny = async (locator) => ((await locator.count()) > 0 ? locator.first().innerText() : "");

const bandGapCard = () => page.locator("[data-testid=property-card][data-property=band_gap]");

/** The band-gap card's model as shown: label, name and version (data attributes). */
async function readModel(card) {
  const model = card.locator("[data-testid=model]");
  return {
    label: await model.innerText(),
    name: await model.getAttribute("data-model-name"),
    version: await model.getAttribute("data-model-version"),
    value: await card.locator("[data-testid=value]").innerText(),
  };
}

/** Predict FORMULA from the front page's formula box. */
async function predictFormula() {
  await page.goto(base + "/");
  await page.getByLabel("Chemical formula").fill(formula);
  await page.getByRole("button", { name: "Predict", exact: true }).click();
  await page.locator(".formula-result [data-testid=property-card][data-property=band_gap]").waitFor({ timeout: 60_000 });
  return readModel(page.locator(".formula-result [data-testid=property-card][data-property=band_gap]"));
}

/** "Predict again" on the material page until the band-gap card shows `version`. */
async function predictMaterial(version) {
  await page.goto(`${base}/materials/${out.materialId}`);
  await bandGapCard().waitFor({ timeout: 120_000 });
  const before = await textIfAny(page.locator("[data-testid=prediction-history] summary"));
  await page.locator("[data-testid=predict-material]").click();
  await page.waitForFunction(
    (v) => document.querySelector("[data-testid=property-card][data-property=band_gap] [data-testid=model]")?.getAttribute("data-model-version") === v,
    version,
    { timeout: 120_000 },
  );
  await page.waitForFunction((b) => (document.querySelector("[data-testid=prediction-history] summary")?.textContent ?? "") !== b, before);
  const card = await readModel(bandGapCard());
  await page.locator("[data-testid=prediction-history] summary").click();
  // band-gap rows of the prediction history, newest first: the model column as shown
  const history = await page.locator("[data-testid=prediction-history] tbody tr").evaluateAll((rows) =>
    rows
      .map((r) => [...r.querySelectorAll("td")].map((td) => ({ text: td.textContent.trim(), title: td.getAttribute("title") ?? "" })))
      .filter((cells) => cells[1]?.text === "Band gap")
      .map((cells) => ({ label: cells[5].text, title: cells[5].title })),
  );
  return { ...card, history };
}

try {
  await section("material", async () => {
    await page.goto(base + "/upload");
    await page.locator("[data-testid=file-input]").setInputFiles([cif]);
    const link = page.locator("[data-testid=material-link]").first();
    await link.waitFor({ timeout: 120_000 });
    out.materialId = Number((await link.getAttribute("href")).split("/").pop());
    log(`uploaded material ${out.materialId}`);
  });

  await section("project", async () => {
    await page.goto(base + "/projects");
    await page.getByLabel("Name").fill("Measured band gaps");
    await page.getByLabel("Description").fill("Band gaps measured on 200 compounds (experimental table)");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(/\/projects\/\d+$/);
    out.projectId = Number(page.url().split("/").pop());
    await page.getByRole("heading", { name: "Measured band gaps", level: 1 }).waitFor();
    const t0 = Date.now();
    await page.locator("[data-testid=measurements-file]").setInputFiles(csv);
    await page.getByRole("button", { name: "Upload measurements" }).click();
    await page.locator("[data-testid=upload-result]").waitFor({ timeout: 180_000 });
    out.stored = await page.locator("[data-testid=upload-result]").innerText();
    await page.waitForFunction(() => / 2\d\d measurements$/.test(document.querySelector("[data-testid=project-counts]")?.textContent ?? ""));
    out.counts = await page.locator("[data-testid=project-counts]").innerText();
    out.timings.uploadSeconds = (Date.now() - t0) / 1000;
    log(`stored: ${out.stored} (${out.counts})`);
    await shots("project");
  });

  await section("start", async () => {
    await page.locator("[data-testid=train-from-project]").click();
    await page.waitForURL(/\/models\?project=\d+$/);
    await page.locator("[data-testid=training-form]").waitFor();
    out.chosenProject = await page.locator("[data-testid=training-project]").inputValue();
    out.noVersionsBefore = await page
      .locator("[data-testid=no-versions]")
      .waitFor({ timeout: 30_000 })
      .then(() => true, () => false);
    await page.locator("[data-testid=training-property]").selectOption("band_gap");
    await page.locator("[data-testid=training-epochs]").fill(epochs);
    await page.locator("[data-testid=start-training]").click();
    await page.waitForURL(/\/models\?job=\d+$/);
    out.jobId = Number(new URL(page.url()).searchParams.get("job"));
    log(`started run ${out.jobId}`);
  });

  await section("progress", async () => {
    const t0 = Date.now();
    const run = page.locator("[data-testid=training-run]");
    const stages = new Set();
    const curvePoints = new Set();
    let shot = false;
    for (;;) {
      const status = await run.getAttribute("data-status");
      stages.add(await page.locator("[data-testid=run-stage]").innerText());
      const points = await page.locator("[data-testid=curve-holdout] .curve-points circle").count();
      curvePoints.add(points);
      if (!shot && status === "running" && points >= 2) {
        shot = true;
        await page.screenshot({ path: path.join(artifacts, "training-running-1440.png"), fullPage: true });
        log(`running: ${[...stages].at(-1)}, ${points} curve points`);
      }
      if (["succeeded", "failed", "cancelled"].includes(status)) break;
      if (Date.now() - t0 > 600_000) throw new Error(`run not finished in 600 s: ${[...stages].join(" | ")}`);
      await page.waitForTimeout(200);
    }
    out.run = {
      status: await run.getAttribute("data-status"),
      seconds: (Date.now() - t0) / 1000,
      stages: [...stages],
      curvePointsSeen: [...curvePoints].sort((a, b) => a - b),
      progress: await page.locator("[data-testid=run-progress]").getAttribute("aria-valuenow"),
      result: await textIfAny(page.locator("[data-testid=run-result]")),
      error: await textIfAny(run.locator(".error-box")),
    };
    log(`run ${out.run.status} in ${out.run.seconds} s: ${out.run.stages.join(" | ")}`);
  });

  await section("comparison", async () => {
    await page.waitForURL(/version=\d+/);
    out.versionId = Number(new URL(page.url()).searchParams.get("version"));
    const review = page.locator("[data-testid=version-review]");
    await review.locator("[data-testid=comparison]").waitFor();
    out.comparison = await review.locator("[data-testid=comparison-part]").evaluateAll((parts) =>
      Object.fromEntries(
        parts.map((p) => [
          p.dataset.part,
          {
            title: p.querySelector("h4")?.textContent ?? "",
            description: p.querySelector("p")?.textContent ?? "",
            metrics: Object.fromEntries(
              [...p.querySelectorAll("tbody tr")].map((r) => [
                r.dataset.metric,
                {
                  shipped: r.querySelector("[data-testid=shipped-value]").textContent,
                  candidate: r.querySelector("[data-testid=candidate-value]").textContent,
                  shippedValue: Number(r.querySelector("[data-testid=shipped-value]").dataset.value),
                  candidateValue: Number(r.querySelector("[data-testid=candidate-value]").dataset.value),
                  change: r.querySelector(".change").textContent,
                },
              ]),
            ),
          },
        ]),
      ),
    );
    out.sideBySide = await review.locator("[data-testid=comparison-part]").evaluateAll((parts) => {
      const [a, b] = parts.map((p) => p.getBoundingClientRect());
      return a && b ? Math.abs(a.top - b.top) < 2 && b.left > a.right : false;
    });
    out.warnings = await review.locator("[data-testid=comparison-warnings] li").allInnerTexts();
    out.verdict = await textIfAny(review.locator("[data-testid=verdict]"));
    out.mlflowRun = await review.locator("[data-testid=mlflow-run]").innerText();
    out.versionLabel = await review.locator("[data-testid=version-label]").innerText();
    out.status = await review.getAttribute("data-status");
    const parity = review.locator("[data-testid=holdout-parity] svg.chart");
    out.parity = {
      points: Number(await review.locator("[data-testid=holdout-parity]").getAttribute("data-points")),
      shippedMarks: await parity.locator(".shipped-points circle").count(),
      candidateMarks: await parity.locator(".candidate-points path").count(),
      pixels: await countSvgPixels(parity),
    };
    out.reviewCurve = Number(await review.locator("[data-testid=learning-curve]").getAttribute("data-epochs"));
    const version = await (await page.request.get(`${base}/api/v1/models/versions/${out.versionId}`)).json();
    out.version = { name: version.name, version: version.version, base: version.base_version, mlflow: version.card.mlflow_run_id };
    log(`comparison ${JSON.stringify(out.comparison)}; warnings ${JSON.stringify(out.warnings)}`);
    await shots("review");
  });

  await section("promote", async () => {
    const review = page.locator("[data-testid=version-review]");
    await review.locator("[data-testid=promote]").click();
    out.promoteConfirm = await review.locator("[data-testid=confirm-promote]").innerText();
    await review.locator("[data-testid=confirm-promote-button]").click();
    out.promoted = await review.locator("[data-testid=model-change]").innerText();
    await page.locator("[data-testid=version-review][data-status=active]").waitFor();
    // "Your models" says the same once its list has been fetched again
    const inUse = "[data-testid=property-versions][data-property=band_gap] [data-testid=in-use]";
    await page
      .waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes("fine-tuned"), inUse, { timeout: 10_000 })
      .catch(() => {});
    out.inUseAfterPromote = await page.locator(inUse).innerText();
    log(`promoted: ${out.promoted}`);
  });

  await section("predict-tuned", async () => {
    out.predictions.formulaTuned = await predictFormula();
    await shots("predicted");
    out.predictions.materialTuned = await predictMaterial(out.version.version);
    log(`tuned: ${JSON.stringify(out.predictions.formulaTuned)} / ${JSON.stringify(out.predictions.materialTuned)}`);
  });

  await section("rollback", async () => {
    await page.goto(base + "/models");
    const group = page.locator("[data-testid=property-versions][data-property=band_gap]");
    await group.locator("[data-testid=rollback]").click();
    out.rollbackConfirm = await group.locator("[data-testid=confirm-rollback]").innerText();
    await group.locator("[data-testid=confirm-rollback-button]").click();
    out.rolledBack = await group.locator("[data-testid=model-change]").innerText();
    await page.waitForFunction(
      () => document.querySelector("[data-testid=property-versions][data-property=band_gap] [data-testid=version-row]")?.getAttribute("data-status") === "retired",
    );
    out.rows = await group.locator("[data-testid=version-row]").evaluateAll((rows) =>
      rows.map((r) => ({ status: r.dataset.status, text: r.textContent })),
    );
    out.runsListed = await page.locator("[data-testid=run-row]").count();
    log(`rolled back: ${out.rolledBack}`);
    await shots("models");
  });

  await section("predict-shipped", async () => {
    out.predictions.formulaShipped = await predictFormula();
    out.predictions.materialShipped = await predictMaterial(out.version.base);
    log(`shipped: ${JSON.stringify(out.predictions.formulaShipped)} / ${JSON.stringify(out.predictions.materialShipped)}`);
    await shots("material");
  });
} finally {
  await csp().catch(() => {});
  out.problems = problems;
  await close();
}
process.stdout.write(JSON.stringify(out) + "\n");
