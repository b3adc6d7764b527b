// Molecules in real headless Chromium under the production headers. Usage:
//   node tests/e2e/molecules_flow.mjs BASE_URL ARTIFACT_DIR CSV PAINS_NAME
// Upload CSV on the molecules page (a batch job: live progress sampled until it ends, the
// bad rows listed), read the table's scores in DOM order (default, ascending, descending),
// open the molecule PAINS_NAME (its depiction's highlighted atoms, alert families, score
// components, the efficiency plane's markers and SVG pixels), download its SDF and PDF and
// the list's SDF / PDF / CSV exports into ARTIFACT_DIR. Screenshots ARTIFACT_DIR/molecules-*.png
// at 1440x900 and 390x844; the shared guard (CSP, console errors, failed requests),
// sideways overflow and axe-core at both sizes. Prints one JSON object.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { countSvgPixels, flowSteps, guard, launch } from "./browser.mjs";

const [base, artifacts, csvPath, painsName] = process.argv.slice(2);
mkdirSync(artifacts, { recursive: true });
const out = { steps: [], failures: {}, sizes: {}, downloads: {} };
const log = (s) => {
  out.steps.push(s);
  process.stderr.write(`[molecules] ${s}\n`);
};

const { context, close } = await launch({ width: 1440, height: 900 });
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(90_000);
const { problems, csp } = await guard(context, page);

// thumbnails and the depiction are blob: images: settling waits until they are decoded
const imagesDecoded = (p) =>
  p
    .waitForFunction(() => [...document.querySelectorAll("img")].every((i) => i.complete && i.naturalWidth > 0))
    .catch(() => {});
const { shots, section } = flowSteps({ page, artifacts, prefix: "molecules", out, log, csp, ready: imagesDecoded });

async function download(testId, name) {
  const [d] = await Promise.all([page.waitForEvent("download"), page.locator(`[data-testid=${testId}]`).click()]);
  const file = path.join(artifacts, name);
  await d.saveAs(file);
  out.downloads[testId] = { file, suggested: d.suggestedFilename() };
  log(`downloaded ${testId} as ${d.suggestedFilename()}`);
}

const scores = () =>
  page.locator("[data-testid=molecule-row]").evaluateAll((rows) => rows.map((r) => (r.dataset.score === "" ? null : Number(r.dataset.score))));

try {
  await section("upload", async () => {
    await page.goto(base + "/");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Molecules", exact: true }).click();
    await page.getByRole("heading", { name: "Molecules", level: 1 }).waitFor();
    await page.locator("[data-testid=molecule-file]").setInputFiles(csvPath);
    await page.locator("[data-testid=batch-progress]").waitFor();
    out.progress = [];
    const deadline = Date.now() + 600_000;
    for (;;) {
      const el = page.locator("[data-testid=batch-progress]");
      const status = await el.getAttribute("data-status");
      const text = await el.locator(".job-progress").innerText().catch(() => "");
      const last = out.progress[out.progress.length - 1];
      if (!last || last.text !== text || last.status !== status) out.progress.push({ status, text });
      if (["succeeded", "failed", "cancelled"].includes(status)) break;
      if (Date.now() > deadline) throw new Error("batch job did not finish in 600 s");
      await page.waitForTimeout(150);
    }
    out.jobUrl = page.url();
    out.summary = await page.locator("[data-testid=batch-summary]").innerText();
    await page.locator("[data-testid=batch-errors]").waitFor({ timeout: 30_000 });
    out.errors = await page.locator("[data-testid=batch-errors] tbody tr").evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent)),
    );
    log(`progress ${JSON.stringify(out.progress)}; ${out.summary}`);
  });

  await section("sort", async () => {
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=molecule-row]").length >= 50);
    out.total = await page.locator("[data-testid=molecule-total]").innerText();
    out.rows = await page.locator("[data-testid=molecule-row]").count();
    out.scoresDefault = await scores();
    out.sortDefault = await page.locator("th[aria-sort]").getAttribute("aria-sort");
    const first = await page.locator("[data-testid=molecule-row]").first().getAttribute("data-id");
    await page.locator("[data-testid=sort-score]").click();
    await page.waitForFunction((id) => document.querySelector("[data-testid=molecule-row]")?.getAttribute("data-id") !== id, first);
    out.scoresAsc = await scores();
    out.sortAsc = await page.locator("th[aria-sort]").getAttribute("aria-sort");
    await page.locator("[data-testid=sort-score]").click();
    await page.waitForFunction((id) => document.querySelector("[data-testid=molecule-row]")?.getAttribute("data-id") === id, first);
    out.scoresDesc = await scores();
    out.sortDesc = await page.locator("th[aria-sort]").getAttribute("aria-sort");
    // the PAINS filter keeps only rows with a PAINS alert
    await page.locator("[data-testid=pains-filter]").selectOption("yes");
    await page.waitForFunction(() => [...document.querySelectorAll("[data-testid=molecule-row]")].every((r) => r.textContent.includes("PAINS")));
    out.painsRows = await page.locator("[data-testid=molecule-link]").allTextContents();
    await page.locator("[data-testid=pains-filter]").selectOption("");
    await page.waitForFunction(() => document.querySelectorAll("[data-testid=molecule-row]").length >= 50);
    log(`rows ${out.rows}, pains ${out.painsRows}`);
    await shots("list");
  });

  await section("export", async () => {
    await download("export-sdf", "molecules-export.sdf");
    await download("export-pdf", "molecules-export.pdf");
    await download("export-csv", "molecules-export.csv");
  });

  await section("molecule", async () => {
    await page.getByRole("link", { name: painsName, exact: true }).click();
    await page.waitForURL(/\/molecules\/\d+$/);
    await page.getByRole("heading", { name: new RegExp(painsName), level: 1 }).waitFor();
    const img = page.locator("[data-testid=depiction]");
    await img.waitFor();
    out.moleculeId = Number(page.url().split("/").pop());
    // the SVG the server draws: which atoms carry a highlight ellipse, in which colour
    const svg = await (await page.request.get(`${base}/api/v1/molecules/${out.moleculeId}/depiction.svg`)).text();
    const fills = {};
    for (const m of svg.matchAll(/<ellipse[^>]*class='atom-(\d+)'[^>]*style='[^']*fill:(#[0-9A-Fa-f]{6})/g)) {
      fills[m[1]] = m[2].toUpperCase();
    }
    // and the image on the page: decoded, with the red (PAINS) highlight drawn
    const drawn = await img.evaluate(async (el) => {
      await el.decode();
      const c = document.createElement("canvas");
      c.width = el.naturalWidth;
      c.height = el.naturalHeight;
      const ctx = c.getContext("2d");
      ctx.drawImage(el, 0, 0);
      const data = ctx.getImageData(0, 0, c.width, c.height).data;
      let red = 0;
      let amber = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
        if (r > 235 && g > 80 && g < 125 && b > 80 && b < 125) red++;
        if (r > 235 && g > 170 && g < 215 && b < 110) amber++;
      }
      return { width: c.width, height: c.height, red, amber };
    });
    out.depiction = { fills, drawn, hasScript: /<script/i.test(svg) };
    out.alertGroups = await page.locator("[data-testid=alert-groups] > li").evaluateAll((lis) =>
      lis.map((li) => ({
        kind: li.dataset.kind,
        atoms: li.dataset.atoms.split(",").map(Number),
        families: [...li.querySelectorAll("[data-testid=alert-family]")].map((f) => f.textContent),
      })),
    );
    out.score = {
      cls: await page.locator("[data-testid=molecule-class]").innerText(),
      total: await page.locator("[data-testid=score-total]").innerText(),
      formula: await page.locator("[data-testid=score-formula]").innerText(),
      terms: await page.locator("[data-testid=score-breakdown] tbody tr").evaluateAll((rows) =>
        rows.map((r) => [...r.querySelectorAll("th, td")].map((c) => c.textContent)),
      ),
    };
    out.indices = await page.locator("[data-testid=indices] dt").allTextContents();
    out.activities = await page.locator("[data-testid=activities] tbody tr").count();
    const plane = page.locator("[data-testid=efficiency-plane-svg]");
    await plane.waitFor();
    out.plane = {
      others: await plane.locator("[data-series=others] circle").count(),
      self: await plane.locator("[data-series=self] path").count(),
      label: await plane.locator(".point-labels text").allTextContents(),
      pixels: await countSvgPixels(plane),
    };
    await page.locator("[data-testid=seed-neighbours], [data-testid=own-neighbours]").first().waitFor();
    out.neighbours = {
      own: await page.locator("[data-testid=own-neighbours] li").count(),
      seed: await page.locator("[data-testid=seed-neighbours] li").count(),
    };
    log(`molecule ${JSON.stringify({ depiction: out.depiction, alerts: out.alertGroups, plane: out.plane })}`);
    await shots("molecule");
    await download("download-sdf", "molecule.sdf");
    await download("download-pdf", "molecule.pdf");
  });
} finally {
  await csp().catch(() => {});
  out.problems = problems;
  await close();
}
process.stdout.write(JSON.stringify(out) + "\n");
