// What a person sees, in real headless Chromium, under the production headers (the
// server sends its Content-Security-Policy). Usage:
//   node tests/e2e/visual_flow.mjs BASE_URL ARTIFACT_DIR MATERIAL_ID
// Six pages (front, explorer, material, batch, models, phase diagram) at 1440x900 and
// 390x844: screenshots ARTIFACT_DIR/visual-<page>-<width>.png, sideways overflow, axe-core
// serious/critical violations; parity plots drawn (pixels of each SVG); keyboard: the
// periodic table's arrow keys and the tetrahedron's; phone menu; a screenshot of every
// property card of the material at both widths (visual-card-<i>-<width>.png). Prints one
// JSON object.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { axe, countSvgPixels, guard, launch, overflowX } from "./browser.mjs";

const [base, artifacts, materialId] = process.argv.slice(2);
mkdirSync(artifacts, { recursive: true });
const out = { pages: {}, parity: [], keyboard: {}, failures: {} };
const log = (s) => process.stderr.write(`[visual] ${s}\n`);

const PAGES = [
  { name: "front", url: "/", ready: "text=Predict the properties of your crystal" },
  { name: "explorer", url: "/materials?q=Fe-O", ready: "[data-testid=result-count]" },
  { name: "material", url: `/materials/${materialId}`, ready: "[data-testid=property-card]" },
  { name: "batch", url: "/jobs", ready: "h1" },
  { name: "models", url: "/models", ready: "[data-testid=parity-plot] svg" },
  { name: "phase-diagram", url: "/phase-diagram?chemsys=Fe-Li-O", ready: "[data-testid=phase-diagram-svg]" },
];
const SIZES = [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
];

const { context, close } = await launch({ width: 1440, height: 900 });
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(90_000);
const { problems, csp } = await guard(context, page);

async function settle() {
  await page.waitForLoadState("networkidle").catch(() => {});
  await page.waitForFunction(() => !document.querySelector("[role=status]")).catch(() => {});
  await page.waitForTimeout(400);
}

try {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    for (const p of PAGES) {
      const key = `${p.name}-${size.width}`;
      try {
        await page.goto(base + p.url);
        await page.locator(p.ready).first().waitFor();
        await settle();
        await page.screenshot({ path: path.join(artifacts, `visual-${key}.png`), fullPage: true });
        out.pages[key] = { overflow: await overflowX(page), axe: await axe(page) };
        log(`${key}: overflow ${out.pages[key].overflow.overflow}, axe ${out.pages[key].axe.length}`);
      } catch (e) {
        out.failures[key] = String(e).split("\n")[0];
        log(`FAILED ${key}: ${out.failures[key]}`);
        await page.screenshot({ path: path.join(artifacts, `visual-failure-${key}.png`) }).catch(() => {});
      }
      await csp();
    }
  }

  // property cards, one screenshot each at both widths: what the number looks like
  out.cards = [];
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.goto(base + `/materials/${materialId}`);
    await page.locator("[data-testid=property-card]").first().waitFor();
    await settle();
    const cards = page.locator("[data-testid=property-card]");
    const n = await cards.count();
    for (let i = 0; i < n; i++) {
      const card = cards.nth(i);
      await card.scrollIntoViewIfNeeded();
      const file = path.join(artifacts, `visual-card-${i}-${size.width}.png`);
      await card.screenshot({ path: file });
      out.cards.push({
        width: size.width,
        file,
        box: await card.boundingBox(),
        text: await card.innerText(),
        value: await card.locator("[data-testid=value]").first().textContent(),
        sigma: (await card.locator("[data-testid=sigma]").count()) ? await card.locator("[data-testid=sigma]").first().textContent() : null,
        unit: (await card.locator("[data-testid=unit]").count()) ? await card.locator("[data-testid=unit]").first().textContent() : null,
        // text cut off inside the card: any descendant whose content is wider than its box
        clipped: await card.evaluate((el) =>
          [...el.querySelectorAll("*")]
            .filter((d) => d.scrollWidth > d.clientWidth + 1 && getComputedStyle(d).overflowX !== "visible")
            .map((d) => `${d.tagName.toLowerCase()}.${d.className}`),
        ),
        fontPx: await card.locator("[data-testid=value]").first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize)),
      });
    }
    log(`${n} property cards at ${size.width}`);
  }
  await csp();

  // parity plots under the production CSP: every plot's SVG has thousands of drawn pixels
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(base + "/models");
  await page.locator("[data-testid=parity-plot] svg").first().waitFor();
  await settle();
  const n = await page.locator("[data-testid=parity-plot] svg").count();
  for (let i = 0; i < n; i++) {
    const svg = page.locator("[data-testid=parity-plot] svg").nth(i);
    out.parity.push({ points: await svg.locator(".parity-points circle").count(), pixels: await countSvgPixels(svg) });
  }
  out.modelCards = await page.locator("[data-testid=model-card]").count();
  out.modelLabels = await page.locator("[data-testid=model-label]").allInnerTexts();
  await csp();

  // keyboard: the periodic table moves by arrow keys (H → Li → Na), Enter picks
  await page.goto(base + "/phase-diagram");
  const h = page.getByRole("button", { name: "H", exact: true });
  await h.focus();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  out.keyboard.table = await page.evaluate(() => document.activeElement?.textContent);
  await page.keyboard.press("Enter");
  out.keyboard.picked = await page.getByTestId("chemsys-input").inputValue();
  await csp();

  // the quaternary tetrahedron turns with the arrow keys
  await page.goto(base + "/phase-diagram?chemsys=Fe-Li-O-P");
  await page.locator("[data-testid=phase-diagram-svg]").waitFor();
  await settle();
  const turn = page.getByRole("group", { name: /Tetrahedron/ });
  const before = await page.locator("input[type=range]").first().inputValue();
  await turn.focus();
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  out.keyboard.tetrahedron = { before, after: await page.locator("input[type=range]").first().inputValue() };
  out.keyboard.quaternaryRows = await page.locator("[data-testid=phase-table] tbody tr").count();
  await page.screenshot({ path: path.join(artifacts, "visual-quaternary-1440.png"), fullPage: true });
  await csp();

  // phone: the menu button opens the navigation; O and N are pickable in the table
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(base + "/phase-diagram");
  const models = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Models" });
  out.phone = { navHidden: !(await models.isVisible()) };
  await page.getByRole("button", { name: "Menu" }).click();
  out.phone.navShown = await models.isVisible();
  await page.getByRole("button", { name: "Menu" }).click();
  await page.getByRole("button", { name: "O", exact: true }).click();
  await page.getByRole("button", { name: "N", exact: true }).click();
  out.phone.picked = await page.getByTestId("chemsys-input").inputValue();
  out.phone.overflow = await overflowX(page);
  await csp();
} catch (e) {
  out.failures.flow = String(e?.stack ?? e);
} finally {
  out.problems = problems;
  await close();
}
console.log(JSON.stringify(out));
