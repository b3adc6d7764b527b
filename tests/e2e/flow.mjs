// The end-to-end user flow in real headless Chromium. Usage:
//   node tests/e2e/flow.mjs BASE_URL ARTIFACT_DIR CIF_PATH CSV_PATH CHEMSYS NEIGHBOUR_CIF
// Prints one JSON object with everything the pytest wrapper asserts on.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { countCanvasPixels, launch } from "./browser.mjs";

const [base, artifacts, cifPath, csvPath, chemsys, neighbourCif] = process.argv.slice(2);
mkdirSync(artifacts, { recursive: true });
const out = { steps: [], consoleErrors: [], pixels: {}, cards: [], explorerRows: 0, batch: {} };
const shot = (page, name) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
const nav = (page, name) =>
  page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();
const step = (s) => {
  out.steps.push(s);
  process.stderr.write(`[e2e] ${s}\n`);
};

const { context, close } = await launch();
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(60_000);
// the front page asks whether a formula is a known compound: 404 is an answer ("not a
// known compound"), e.g. while the reference data are still loading
const knownCompoundLookup = (url) => /\/api\/v1\/compounds\/[^/?]+$/.test(url);
page.on("console", (m) => {
  if (m.type() !== "error") return;
  if (/status of 404/.test(m.text()) && knownCompoundLookup(m.location()?.url ?? "")) return;
  out.consoleErrors.push(m.text());
});
page.on("response", (r) => {
  if (r.status() === 404 && knownCompoundLookup(r.url())) return;
  if (r.status() >= 400) out.consoleErrors.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`);
});
page.on("requestfailed", (r) => {
  // net::ERR_ABORTED: cancelled because this script navigated away, not a failure
  const error = r.failure()?.errorText ?? "";
  if (error !== "net::ERR_ABORTED") out.consoleErrors.push(`failed ${r.method()} ${r.url()} ${error}`);
});
page.on("pageerror", (e) => out.consoleErrors.push(`pageerror: ${e.message}`));
// CSP violations never reach the console: a listener reports them (collected at the end)
await context.addInitScript(() => {
  window.__csp = [];
  document.addEventListener("securitypolicyviolation", (e) =>
    window.__csp.push(`CSP ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
  );
});
const collectCsp = async () => {
  const v = await page.evaluate(() => (window.__csp ?? []).splice(0)).catch(() => []);
  out.consoleErrors.push(...v);
};

const failures = {};
async function section(name, fn) {
  try {
    await fn();
  } catch (e) {
    failures[name] = String(e?.stack ?? e);
    step(`FAILED ${name}: ${String(e).split("\n")[0]}`);
    await shot(page, `99-failure-${name}`).catch(() => {});
  }
  await collectCsp();
}

try {
 await section("viewer", async () => {
  // 1. front page → upload a CIF → material page
  await page.goto(base + "/");
  await page.getByRole("heading", { name: /predict the properties/i }).waitFor();
  await shot(page, "01-front-page");
  step("front page");
  await page.locator("[data-testid=file-input]").setInputFiles(cifPath);
  await page.waitForURL(/\/materials\/\d+$/);
  out.materialUrl = page.url();
  step(`material page ${page.url()}`);

  // 2. viewer: non-background pixels in each mode
  const canvas = page.locator("[data-testid=viewer-canvas]");
  await canvas.waitFor();
  for (const [mode, label] of [
    ["ball-and-stick", "Ball and stick"],
    ["space-filling", "Space filling"],
    ["polyhedra", "Polyhedra"],
  ]) {
    await page.getByLabel(label, { exact: true }).check();
    await page.waitForFunction((m) => window.__matdiscoverViewer?.mode === m, mode);
    await page.waitForTimeout(300);
    out.pixels[mode] = await countCanvasPixels(page);
    await canvas.screenshot({ path: path.join(artifacts, `02-viewer-${mode}.png`) });
    step(`viewer ${mode}: ${out.pixels[mode].nonBackground} non-background pixels`);
  }
  // supercell 2x2x2 and click-to-inspect
  await page.getByLabel("Ball and stick", { exact: true }).check();
  for (const axis of ["a", "b", "c"]) {
    await page.getByLabel(`Repeats along ${axis}`).selectOption("2");
  }
  await page.waitForFunction(() => (window.__matdiscoverViewer?.atoms ?? 0) > 20);
  out.supercellAtoms = await page.evaluate(() => window.__matdiscoverViewer.atoms);
  out.pixels.supercell = await countCanvasPixels(page);
  const box = await canvas.boundingBox();
  for (const [fx, fy] of [[0.5, 0.5], [0.45, 0.5], [0.55, 0.45], [0.5, 0.4], [0.4, 0.6], [0.6, 0.6]]) {
    await page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
    if (await page.locator("[data-testid=atom-inspector]").isVisible()) break;
  }
  out.inspector = (await page.locator("[data-testid=atom-inspector]").isVisible())
    ? await page.locator("[data-testid=atom-inspector]").innerText()
    : null;
  await page.getByRole("button", { name: "Reset view" }).click();
  step(`supercell atoms ${out.supercellAtoms}; inspector ${out.inspector ? "shown" : "not hit"}`);

  });
 await section("formula", async () => {
  // the front page's second path: a formula → composition predictions as cards
  await page.goto(base + "/");
  await page.getByLabel("Chemical formula").fill("GaN");
  await page.getByRole("button", { name: "Predict", exact: true }).click();
  await page.locator("[data-testid=property-card]").first().waitFor({ timeout: 120_000 });
  out.formulaCards = [];
  for (const card of await page.locator("[data-testid=property-card]").all()) {
    out.formulaCards.push({
      property: await card.getAttribute("data-property"),
      value: await card.locator("[data-testid=value]").innerText(),
      unit: await card.locator("[data-testid=unit]").innerText(),
      sigma: (await card.locator("[data-testid=sigma]").count())
        ? await card.locator("[data-testid=sigma]").innerText()
        : null,
    });
  }
  await shot(page, "01b-formula-prediction");
  step(`${out.formulaCards.length} formula cards`);
 });
 await section("cards", async () => {
  if (!out.materialUrl) throw new Error("no material page");
  // 3. predicted property cards (auto-prediction by the worker)
  if (!page.url().startsWith(out.materialUrl)) await page.goto(out.materialUrl);
  await page.locator("[data-testid=property-card]").first().waitFor({ timeout: Number(process.env.E2E_PREDICTION_TIMEOUT_MS ?? 240_000) });
  for (const card of await page.locator("[data-testid=property-card]").all()) {
    out.cards.push({
      property: await card.getAttribute("data-property"),
      value: await card.locator("[data-testid=value]").innerText(),
      unit: await card.locator("[data-testid=unit]").innerText(),
      sigma: (await card.locator("[data-testid=sigma]").count())
        ? await card.locator("[data-testid=sigma]").innerText()
        : null,
    });
  }
  await shot(page, "03-material-page");
  step(`${out.cards.length} property cards`);

  });
 await section("explorer", async () => {
  // 4. explorer: search by chemical system
  await page.goto(base + "/");
  await nav(page, "Explore");
  await page.getByLabel(/search by formula/i).fill(chemsys);
  await page.getByRole("button", { name: "Search" }).click();
  // React Router navigates in a transition: the URL-controlled view radio is checked only
  // once it commits (check() would read it at once and fail on a busy machine)
  await page.waitForURL(/[?&]q=/);
  // the uploaded structure is listed under "Your materials" (known compounds: compounds_flow)
  await page.getByLabel("Your materials", { exact: true }).click();
  await page.waitForURL(/[?&]view=materials/);
  await page.locator("[data-testid=results-table] tbody tr").first().waitFor();
  out.explorerRows = await page.locator("[data-testid=results-table] tbody tr").count();
  out.explorerUrl = page.url();
  await page.locator("details.panel > summary", { hasText: "Elements" }).click();
  await page.getByRole("group", { name: /periodic table/i }).waitFor();
  await shot(page, "04-explorer");
  step(`explorer ${chemsys}: ${out.explorerRows} rows`);

  });
 await section("batch", async () => {
  // 5. batch CSV → 100 % → download
  await page.goto(base + "/");
  await nav(page, "Batch jobs");
  await page.locator("[data-testid=batch-file]").setInputFiles(csvPath);
  await page.getByRole("button", { name: "Submit job" }).click();
  await page.waitForURL(/\/jobs\/\d+$/);
  await page.waitForFunction(
    () =>
      document.querySelector("[data-testid=job-percent]")?.textContent === "100%" ||
      ["failed", "cancelled"].includes(document.querySelector("[data-testid=job-status]")?.textContent),
    null,
    { timeout: 240_000 },
  );
  const jobStatus = await page.locator("[data-testid=job-status]").textContent();
  if (jobStatus !== "succeeded" && jobStatus !== "running") {
    await shot(page, "05-batch-job");
    throw new Error(`batch job ended ${jobStatus}`);
  }
  const dl = page.locator("[data-testid=download-csv]");
  await dl.waitFor();
  const href = await dl.getAttribute("href");
  const resp = await page.request.get(base + href);
  const text = await resp.text();
  out.batch = {
    status: await page.locator("[data-testid=job-status]").textContent(),
    percent: await page.locator("[data-testid=job-percent]").innerText(),
    downloadStatus: resp.status(),
    downloadLines: text.trim().split("\n").length,
    header: text.split("\n")[0],
  };
  const [download] = await Promise.all([page.waitForEvent("download"), dl.click()]);
  out.batch.downloadName = download.suggestedFilename();
  await shot(page, "05-batch-job");
  await page.getByRole("link", { name: "All jobs" }).click();
  await page.locator("[data-testid=jobs-table]").waitFor();
  await shot(page, "06-jobs-list");
  step(`batch ${out.batch.percent} ${out.batch.status}`);

  });
 await section("panels", async () => {
  // 6. material page: similar materials (links) and the phase diagram (an SVG plot with
  // points and this material marked).
  if (!out.materialUrl) throw new Error("no material page");
  // a second structure of our own (through the API: the upload page was tested above) is
  // a structure neighbour. Composition neighbours are the reference entries, which a fresh
  // data directory is still loading (the composition search waits for its index), so
  // they are recorded but not required.
  const upload = await page.request.post(base + "/api/v1/materials", {
    multipart: { files: { name: path.basename(neighbourCif), mimeType: "chemical/x-cif", buffer: readFileSync(neighbourCif) } },
  });
  if (upload.status() !== 201) throw new Error(`neighbour upload: HTTP ${upload.status()}`);
  await page.goto(out.materialUrl);
  const panel = page.locator("[data-testid=similar-panel]");
  const links = panel.locator("[data-testid=similar-link]");
  out.panels = {};

  // the SVG phase diagram: one marker (circle or path with a hover title) per phase
  const plot = page.locator("[data-testid=phase-diagram-svg]");
  await plot.locator("circle").first().waitFor();
  // the marker needs the predicted formation energy (the cards section waited for it)
  await page.locator("[data-testid=phase-diagram-plot] .legend li", { hasText: /^This material$/ }).waitFor();
  out.panels.phasePoints = await plot.locator(":is(circle, path):has(title)").count();
  out.panels.phaseLabel = await plot.getAttribute("aria-label");
  out.panels.stability = await page.locator("[data-testid=stability]").innerText();
  // one energy above hull per material: the property card and the panel, as displayed
  const hullCard = page.locator("[data-testid=property-card][data-property=energy_above_hull]");
  out.panels.energyAboveHull = {
    card: `${await hullCard.locator("[data-testid=value]").innerText()} ${await hullCard.locator("[data-testid=unit]").innerText()}`,
    panel: await page.locator("[data-testid=stability-e-above-hull]").innerText(),
  };
  out.panels.compositionLinks = await links.count();

  // keyboard: the composition/structure toggle is a radio group
  await panel.getByRole("radio", { name: "Structure" }).focus();
  await page.keyboard.press("Space");
  out.panels.structureChecked = await panel.getByRole("radio", { name: "Structure" }).isChecked();
  await links.first().waitFor({ timeout: 120_000 });
  out.panels.similarLinks = await links.count();
  out.panels.similarFormulas = await links.allInnerTexts();
  out.panels.firstSimilarHref = await links.first().getAttribute("href");
  await page.locator("[data-testid=phase-diagram-panel]").scrollIntoViewIfNeeded();
  await shot(page, "09-material-panels");
  await page.locator("[data-testid=phase-diagram-panel]").screenshot({ path: path.join(artifacts, "09b-phase-diagram.png") });
  await panel.screenshot({ path: path.join(artifacts, "09c-similar-materials.png") });
  // follow a neighbour link
  await links.first().click();
  await page.waitForURL((u) => u.pathname === out.panels.firstSimilarHref);
  await page.locator("[data-testid=material-formula]").waitFor();
  out.panels.followedFormula = await page.locator("[data-testid=material-formula]").innerText();
  step(`panels: ${out.panels.similarLinks} structure neighbours, ${out.panels.phasePoints} phase-diagram points`);
 });
 await section("pages", async () => {
  // 7. models page and upload page render without errors
  await nav(page, "Models");
  await page.getByRole("heading", { name: "Models", exact: true }).waitFor();
  await page.waitForTimeout(1500);
  await shot(page, "07-models");
  await nav(page, "Upload");
  await page.getByRole("heading", { name: "Upload structures" }).waitFor();
  step("models + upload pages");

  // 8. laptop width
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(out.materialUrl);
  await page.locator("[data-testid=viewer-canvas]").waitFor();
  await page.waitForTimeout(500);
  await shot(page, "08-material-1280");
  });
} finally {
  out.failures = failures;
  out.ok = Object.keys(failures).length === 0;
  await close();
}
writeFileSync(path.join(artifacts, "result.json"), JSON.stringify(out, null, 2));
process.stdout.write(JSON.stringify(out) + "\n");
