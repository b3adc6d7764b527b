// Projects in real headless Chromium under the production headers. Usage:
//   node tests/e2e/projects_flow.mjs BASE_URL ARTIFACT_DIR COMPOUND CIF [CIF ...]
// Create a project; upload the CIFs on the upload page and add them to the project by id,
// plus the known COMPOUND by formula; upload a measurements CSV with one bad row (the 422
// row error is shown, nothing stored), fix it and upload again; the parity plot (SVG
// pixels) with its numbers; change statuses; export CSV (saved as
// ARTIFACT_DIR/projects-export.csv). Screenshots ARTIFACT_DIR/projects-*.png at 1440x900
// and 390x844; the shared guard (CSP, console errors, failed requests), sideways overflow
// and axe-core at both sizes. Prints one JSON object.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { countSvgPixels, flowSteps, guard, launch } from "./browser.mjs";

const [base, artifacts, compound, ...cifs] = process.argv.slice(2);
mkdirSync(artifacts, { recursive: true });
const out = { steps: [], failures: {}, sizes: {} };
const log = (s) => {
  out.steps.push(s);
  process.stderr.write(`[projects] ${s}\n`);
};

const { context, close } = await launch({ width: 1440, height: 900 });
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(90_000);
// the bad measurements file is answered 422 on purpose (an answer the page shows, not a failure)
const { problems, csp } = await guard(context, page, {
  allow: [
    /^HTTP 422 POST .*\/api\/v1\/projects\/\d+\/measurements$/,
    /^console: Failed to load resource: the server responded with a status of 422 .*\/projects\/\d+\)$/,
  ],
});

const { shots, section } = flowSteps({ page, artifacts, prefix: "projects", out, log, csp });

const itemRow = (formula) => page.locator(`[data-testid=project-item][data-formula="${formula}"]`);

try {
  await section("create", async () => {
    await page.goto(base + "/");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Projects", exact: true }).click();
    await page.getByRole("heading", { name: "Projects", level: 1 }).waitFor();
    await page.getByLabel("Name").fill("Wide-gap oxides");
    await page.getByLabel("Description").fill("Band gaps of three uploads and one known compound");
    await page.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(/\/projects\/\d+$/);
    out.projectId = Number(page.url().split("/").pop());
    out.projectUrl = page.url();
    // the URL changes before the project page renders: wait for its own heading
    await page.getByRole("heading", { name: "Wide-gap oxides", level: 1 }).waitFor({ timeout: 30_000 }).catch(() => {});
    out.heading = await page.locator("h1").innerText();
    log(`created project ${out.projectId}`);
  });

  await section("upload", async () => {
    await page.goto(base + "/upload");
    await page.locator("[data-testid=file-input]").setInputFiles(cifs);
    await page.locator("[data-testid=material-link]").nth(cifs.length - 1).waitFor({ timeout: 120_000 });
    out.materials = [];
    for (const link of await page.locator("[data-testid=material-link]").all()) {
      const href = await link.getAttribute("href");
      out.materials.push({ id: Number(href.split("/").pop()), formula: await link.innerText() });
    }
    log(`uploaded ${JSON.stringify(out.materials)}`);
    // the automatic predictions (queued by the upload) before they are compared
    const deadline = Date.now() + 300_000;
    for (const m of out.materials) {
      for (;;) {
        const r = await page.request.get(`${base}/api/v1/materials/${m.id}/predictions`);
        const body = await r.json();
        if (body.latest?.some((p) => p.property === "band_gap") && !body.pending) break;
        if (Date.now() > deadline) throw new Error(`material ${m.id} not predicted in 300 s`);
        await page.waitForTimeout(2000);
      }
    }
  });

  await section("add-items", async () => {
    await page.goto(out.projectUrl);
    const input = page.locator("[data-testid=add-item-input]");
    for (const what of [...out.materials.map((m) => String(m.id)), compound]) {
      const before = await page.locator("[data-testid=project-item]").count();
      await input.fill(what);
      await page.getByRole("button", { name: "Add to project" }).click();
      await page.locator("[data-testid=project-item]").nth(before).waitFor();
    }
    await page.waitForFunction(
      (n) => document.querySelector("[data-testid=project-counts]")?.textContent?.startsWith(`${n} materials`),
      out.materials.length + 1,
    );
    out.items = await page.locator("[data-testid=project-item]").evaluateAll((rows) =>
      rows.map((r) => ({
        formula: r.dataset.formula,
        predicted: r.querySelector("[data-testid=predicted]")?.textContent ?? "",
        reference: r.querySelector("[data-testid=reference]")?.textContent ?? "",
      })),
    );
    log(`items ${JSON.stringify(out.items)}`);
  });

  // band gaps: one upload in meV, the compound by formula; the bad row is the compound's
  const ids = Object.fromEntries(out.materials.map((m) => [m.formula, m.id]));
  const csv = (znoValue) =>
    [
      "material_id,formula,property,value,unit,uncertainty,method",
      `${ids.TiO2},,band_gap,3.03,eV,0.05,UV-vis`,
      `${ids.MgO},,band gap,7800,meV,200,reflectance`,
      `${ids.GaAs},,band_gap,1.42,eV,0.01,photoluminescence`,
      `,${compound},band_gap,${znoValue},eV,0.05,UV-vis`,
    ].join("\n") + "\n";
  const badCsv = path.join(artifacts, "projects-measurements-bad.csv");
  const goodCsv = path.join(artifacts, "projects-measurements.csv");
  writeFileSync(badCsv, csv("3.37 eV?"));
  writeFileSync(goodCsv, csv("3.37"));

  await section("bad-upload", async () => {
    await page.locator("[data-testid=measurements-file]").setInputFiles(badCsv);
    await page.getByRole("button", { name: "Upload measurements" }).click();
    await page.locator("[data-testid=upload-rejected]").waitFor();
    out.rejected = {
      text: await page.locator("[data-testid=upload-rejected]").innerText(),
      rows: await page.locator("[data-testid=row-error]").evaluateAll((rows) =>
        rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent)),
      ),
      counts: await page.locator("[data-testid=project-counts]").innerText(),
    };
    await shots("rejected");
    log(`rejected: ${JSON.stringify(out.rejected.rows)}`);
  });

  await section("good-upload", async () => {
    await page.locator("[data-testid=measurements-file]").setInputFiles(goodCsv);
    await page.getByRole("button", { name: "Upload measurements" }).click();
    await page.locator("[data-testid=upload-result]").waitFor();
    out.stored = await page.locator("[data-testid=upload-result]").innerText();
    await page.waitForFunction(() =>
      document.querySelector("[data-testid=project-counts]")?.textContent?.includes("4 measurements"),
    );
    out.counts = await page.locator("[data-testid=project-counts]").innerText();
    out.rejectedGone = (await page.locator("[data-testid=upload-rejected]").count()) === 0;
    log(`stored: ${out.stored}`);
  });

  await section("parity", async () => {
    const svg = page.locator("[data-testid=project-parity-plot] svg");
    await svg.waitFor();
    await page.waitForFunction(
      () => document.querySelectorAll("[data-testid=project-parity-plot] svg .project-points circle").length >= 4,
    );
    const metrics = {};
    for (const dd of await page.locator("[data-testid=parity-metrics] dd").all()) {
      metrics[await dd.getAttribute("data-metric")] = await dd.innerText();
    }
    out.parity = {
      points: await svg.locator(".project-points circle").count(),
      errorBars: await svg.locator(".error-bar").count(),
      labels: await svg.locator(".point-labels text").allTextContents(),
      pixels: await countSvgPixels(svg),
      metrics,
      perModel: await page.locator("[data-testid=per-model] tbody tr").count(),
      families: await page.locator("[data-testid=residuals-table] tbody tr").count(),
      residualPixels: await countSvgPixels(page.locator("[data-testid=residuals-plot]")),
    };
    out.measured = await page.locator("[data-testid=project-item]").evaluateAll((rows) =>
      Object.fromEntries(rows.map((r) => [r.dataset.formula, r.querySelector("[data-testid=measured]")?.textContent ?? ""])),
    );
    log(`parity: ${JSON.stringify(out.parity)}`);
  });

  await section("statuses", async () => {
    const changes = { TiO2: "measured", MgO: "discarded", GaAs: "selected", [compound]: "synthesised" };
    for (const [formula, status] of Object.entries(changes)) {
      const select = itemRow(formula).getByRole("combobox", { name: `Status of ${formula}` });
      await select.selectOption(status);
      await page.waitForFunction(
        ([f, s]) => {
          const el = document.querySelector(`[data-testid=project-item][data-formula="${f}"] select`);
          return el && el.value === s && !el.disabled;
        },
        [formula, status],
      );
    }
    await itemRow("TiO2").getByRole("textbox", { name: /Tags of TiO2/ }).fill("=cmd|' /C calc'!A0, rutile");
    await itemRow("TiO2").getByRole("textbox", { name: /Tags of TiO2/ }).press("Enter");
    await page.waitForLoadState("networkidle");
    // a note on GaAs, with its author and time
    await itemRow("GaAs").locator("summary").click();
    await itemRow("GaAs").getByLabel("Note on GaAs").fill("PL at 300 K, sample B2");
    await itemRow("GaAs").getByRole("button", { name: "Save note" }).click();
    await itemRow("GaAs").locator("[data-testid=note]").waitFor();
    out.note = await itemRow("GaAs").locator("[data-testid=note]").innerText();
    // they were saved: a reload shows them
    await page.reload();
    await itemRow("TiO2").waitFor();
    out.statuses = await page.locator("[data-testid=project-item]").evaluateAll((rows) =>
      Object.fromEntries(rows.map((r) => [r.dataset.formula, r.querySelector("select")?.value])),
    );
    // sorting by measured band gap, descending: MgO first
    await page.getByRole("button", { name: /^Measured/ }).click();
    await page.getByRole("button", { name: /^Measured/ }).click();
    out.sortedDesc = await page.locator("[data-testid=project-item]").evaluateAll((rows) => rows.map((r) => r.dataset.formula));
    await itemRow("GaAs").locator("summary").click();
    log(`statuses ${JSON.stringify(out.statuses)}, sorted ${out.sortedDesc}`);
  });

  await section("screenshots", async () => {
    await page.locator("[data-testid=project-parity-plot] svg").waitFor();
    await shots("project");
    await page.goto(base + "/projects");
    await page.locator("[data-testid=projects-table]").waitFor();
    out.list = await page.locator("[data-testid=projects-table] tbody").innerText();
    await shots("list");
    await page.goto(out.projectUrl);
    await itemRow("TiO2").waitFor();
  });

  await section("export", async () => {
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.locator("[data-testid=export-csv]").click(),
    ]);
    const file = path.join(artifacts, "projects-export.csv");
    await download.saveAs(file);
    out.export = { suggested: download.suggestedFilename(), text: readFileSync(file, "utf8") };
    log(`export ${out.export.suggested}: ${out.export.text.length} chars`);
  });

  await section("recalibration-control", async () => {
    // four measurements may be too few to fit: either way the answer is shown, never a crash
    out.recalibrateButton = await page.getByRole("button", { name: /Fit a recalibration/ }).count();
  });
} finally {
  await csp().catch(() => {});
  out.problems = problems;
  await close();
}
process.stdout.write(JSON.stringify(out) + "\n");
