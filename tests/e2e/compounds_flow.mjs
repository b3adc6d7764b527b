// Known compounds in real headless Chromium. Usage:
//   node tests/e2e/compounds_flow.mjs BASE_URL ARTIFACT_DIR FORMULA MP_ID [FORMULA MP_ID ...]
// explorer "LiFePO4" → one compound row → its page (reference values with sources and
// entry counts) → a composition-only reference row's material page (no downloads, no
// spinner); then each FORMULA's compound page: select MP_ID, viewer pixels, CIF and POSCAR
// downloads saved as ARTIFACT_DIR/compounds-<MP_ID>.{cif,vasp}. Prints one JSON object.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { countCanvasPixels, launch } from "./browser.mjs";

const [base, artifacts, ...pairs] = process.argv.slice(2);
mkdirSync(artifacts, { recursive: true });
const out = { steps: [], consoleErrors: [], cspViolations: [], structures: {} };
const failures = {};
const step = (s) => {
  out.steps.push(s);
  process.stderr.write(`[e2e] ${s}\n`);
};

const { context, close } = await launch({ width: 1440, height: 900 });
// CSP violations are reported to the page; record them from the first script on
await context.addInitScript(() => {
  window.__csp = [];
  document.addEventListener("securitypolicyviolation", (e) =>
    window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
  );
});
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(60_000);
page.on("console", (m) => {
  if (m.type() === "error") out.consoleErrors.push(m.text());
});
page.on("response", (r) => {
  if (r.status() >= 400) out.consoleErrors.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`);
});
page.on("requestfailed", (r) => {
  // net::ERR_ABORTED: cancelled because this script navigated away, not a failure
  const error = r.failure()?.errorText ?? "";
  if (error !== "net::ERR_ABORTED") out.consoleErrors.push(`failed ${r.method()} ${r.url()} ${error}`);
});
page.on("pageerror", (e) => out.consoleErrors.push(`pageerror: ${e.message}`));

async function collectCsp() {
  const v = await page.evaluate(() => window.__csp ?? []).catch(() => []);
  out.cspViolations.push(...v);
}
/** Full-page screenshots at desktop and phone widths. */
async function shots(name) {
  await page.screenshot({ path: path.join(artifacts, `compounds-${name}-1440.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(artifacts, `compounds-${name}-390.png`), fullPage: true });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.waitForTimeout(300);
}
async function section(name, fn) {
  try {
    await fn();
  } catch (e) {
    failures[name] = String(e?.stack ?? e);
    step(`FAILED ${name}: ${String(e).split("\n")[0]}`);
    await page.screenshot({ path: path.join(artifacts, `compounds-failure-${name}.png`) }).catch(() => {});
  }
  await collectCsp();
}

try {
  await section("explorer", async () => {
    await page.goto(base + "/");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Explore", exact: true }).click();
    await page.getByLabel(/search by formula/i).fill("LiFePO4");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/q=LiFePO4/);
    await page.locator("[data-testid=compounds-table] tbody tr").first().waitFor();
    await page.waitForFunction(() => !document.querySelector("[data-testid=result-count]")?.textContent?.includes("updating"));
    const rows = page.locator("[data-testid=compounds-table] tbody tr");
    out.explorer = {
      url: page.url(),
      rows: await rows.count(),
      count: await page.locator("[data-testid=result-count]").innerText(),
      firstRow: await rows.first().innerText(),
      header: await page.locator("[data-testid=compounds-table] thead").innerText(),
    };
    await shots("explorer");
    step(`explorer LiFePO4: ${out.explorer.rows} rows`);
    await rows.first().locator("[data-testid=compound-link]").click();
    await page.waitForURL(/\/compounds\/\d+$/);
  });

  await section("compound", async () => {
    if (!page.url().includes("/compounds/")) await page.goto(base + "/compounds/LiFePO4");
    const table = page.locator("[data-testid=reference-values]");
    await table.waitFor();
    out.compound = { url: page.url(), heading: await page.locator("h1").innerText(), values: [] };
    for (const row of await table.locator("[data-testid=reference-value]").all()) {
      const group = row.locator("xpath=ancestor::tbody");
      out.compound.values.push({
        property: await group.getAttribute("data-property"),
        text: await row.innerText(),
        entries: Number(await row.locator("[data-testid=n-entries]").innerText()),
      });
    }
    await page.locator("[data-testid=known-structures]").waitFor();
    await page.waitForFunction(() => (window.__matdiscoverViewer?.atoms ?? 0) > 0, null, { timeout: 120_000 });
    await shots("compound-LiFePO4");
    step(`compound page: ${out.compound.values.length} reference values`);
  });

  await section("composition-only", async () => {
    // a Matbench row of LiFePO4 (composition only): its entry label links to its page
    if (!page.url().includes("/compounds/")) await page.goto(base + "/compounds/LiFePO4");
    const link = page.locator("[data-testid=reference-values] a", { hasText: /, row \d+/ }).first();
    out.compositionOnly = { label: await link.innerText() };
    await link.click();
    await page.waitForURL(/\/materials\/\d+$/);
    await page.locator("[data-testid=metadata]").waitFor();
    await page.locator("[data-testid=no-predictions]").waitFor();
    await page.waitForTimeout(3000); // long enough for a spinner to show if one would
    const predictions = page.locator("section", { has: page.locator("#pred-title") });
    out.compositionOnly = {
      ...out.compositionOnly,
      url: page.url(),
      source: await page.locator("[data-testid=material-source]").innerText(),
      downloads: await page.locator("[data-testid=downloads]").count(),
      cifLinks: await page.getByRole("link", { name: "CIF", exact: true }).count(),
      spinners: await predictions.locator(".spinner").count(),
      predictButton: await page.locator("[data-testid=predict-material]").innerText(),
      compoundHref: await page.locator("[data-testid=compound-link]").getAttribute("href"),
      pageText: await page.locator("main").innerText(),
    };
    await shots("composition-only");
    step(`composition-only row: ${out.compositionOnly.source}`);
  });

  for (let i = 0; i < pairs.length; i += 2) {
    const [formula, mpId] = [pairs[i], pairs[i + 1]];
    await section(`structure-${mpId}`, async () => {
      await page.goto(`${base}/compounds/${formula}`);
      await page.locator("[data-testid=known-structures]").waitFor();
      await page.getByLabel(`Show ${mpId}`, { exact: true }).check();
      // the viewer remounts for the selected structure
      await page.locator("[data-testid=known-structures] li[data-selected=true]", { hasText: mpId }).waitFor();
      await page.waitForFunction(() => (window.__matdiscoverViewer?.atoms ?? 0) > 0, null, { timeout: 120_000 });
      await page.waitForTimeout(500);
      const result = { pixels: await countCanvasPixels(page), files: {} };
      result.rowText = await page.locator("[data-testid=known-structures] li[data-selected=true]").innerText();
      result.sourceHref = await page
        .locator("[data-testid=known-structures] li[data-selected=true] a", { hasText: mpId })
        .getAttribute("href");
      for (const [kind, ext] of [["cif", "cif"], ["poscar", "vasp"]]) {
        const [download] = await Promise.all([
          page.waitForEvent("download"),
          page.locator(`[data-testid=download-${kind}]`).click(),
        ]);
        const file = path.join(artifacts, `compounds-${mpId}.${ext}`);
        await download.saveAs(file);
        result.files[kind] = { path: file, suggested: download.suggestedFilename() };
      }
      out.structures[mpId] = result;
      await shots(`structure-${mpId}`);
      step(`${formula} ${mpId}: ${result.pixels.nonBackground} pixels`);
    });
  }

  await section("upload-match", async () => {
    // the downloaded CIF of mp-22862, uploaded: the page names the known structure it
    // matches; the same file again is a duplicate of the first upload
    const cif = out.structures["mp-22862"]?.files?.cif?.path;
    if (!cif) throw new Error("no mp-22862 CIF downloaded");
    await page.goto(base + "/");
    await page.locator("[data-testid=file-input]").setInputFiles(cif);
    await page.waitForURL(/\/materials\/\d+$/);
    const note = page.locator("[data-testid=known-match]");
    await note.waitFor();
    out.uploadMatch = {
      url: page.url(),
      text: await note.innerText(),
      href: await note.getByRole("link", { name: "mp-22862" }).getAttribute("href"),
    };
    await shots("upload-match");
    await page.goto(base + "/");
    await page.locator("[data-testid=file-input]").setInputFiles(cif);
    await page.waitForURL((u) => /\/materials\/\d+$/.test(u.pathname) && u.href !== out.uploadMatch.url);
    out.uploadMatch.duplicate = await page.locator("[data-testid=duplicate-of]").innerText();
    step(`upload: ${out.uploadMatch.text}; ${out.uploadMatch.duplicate}`);
  });

  await section("not-found", async () => {
    const before = out.consoleErrors.length;
    const requests = [];
    const onRequest = (r) => r.url().includes("/api/v1/compounds/") && requests.push(r.url());
    page.on("request", onRequest);
    await page.goto(`${base}/compounds/Xe7Au3`);
    out.notFound = await page.locator("[data-testid=compound-not-found]").innerText();
    await page.waitForTimeout(2000); // a retry would come within this
    page.off("request", onRequest);
    out.notFoundRequests = requests.length;
    // the one 404 (the response and Chromium's console line for it) is expected here
    const expected = out.consoleErrors.slice(before);
    out.notFoundErrors = expected;
    out.consoleErrors = out.consoleErrors.slice(0, before).concat(
      expected.filter((e) => !/compounds\/Xe7Au3|status of 404/.test(e)),
    );
  });
} finally {
  await close();
}
out.failures = failures;
process.stdout.write(JSON.stringify(out) + "\n");
