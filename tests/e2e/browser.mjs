// Shared helpers for the browser tests and the viewer benchmark: launch Debian's
// chromium through playwright-core (never a downloaded browser) and read canvas pixels.
import { createRequire } from "node:module";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, "..", "..");
// playwright-core is a devDependency of the frontend
const require = createRequire(path.join(REPO, "frontend", "package.json"));
const { chromium } = require("playwright-core");

export const CHROMIUM = process.env.MATDISCOVER_CHROMIUM || "/usr/bin/chromium";
export const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
  // WebGL without a GPU: ANGLE on SwiftShader (software rendering)
  "--use-angle=swiftshader",
  "--enable-unsafe-swiftshader",
];

/** Launch chromium with a fresh profile; returns {context, profile, close}. */
export async function launch({ width = 1440, height = 900 } = {}) {
  const profile = mkdtempSync(path.join(tmpdir(), "matdiscover-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width, height },
    acceptDownloads: true,
  });
  return {
    context,
    profile,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Count pixels of the viewer canvas that differ from the white background. */
export async function countCanvasPixels(page) {
  return page.evaluate(async () => {
    const canvas = document.querySelector("[data-testid=viewer-canvas]");
    if (!canvas) return { width: 0, height: 0, nonBackground: -1 };
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const img = new Image();
    img.src = canvas.toDataURL("image/png");
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext("2d");
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] < 245 || data[i + 1] < 245 || data[i + 2] < 245) n++;
    }
    return { width: c.width, height: c.height, nonBackground: n };
  });
}

/**
 * CPU seconds used so far by the browser launched with `profile` (all its processes:
 * with software WebGL, the rendering runs on the CPU in the GPU process). Linux only.
 */
export function browserCpuSeconds(profile) {
  const ticks = 100; // USER_HZ
  let total = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(profile)) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      total += Number(fields[11]) + Number(fields[12]); // utime + stime
    } catch {
      // the process ended meanwhile
    }
  }
  return total / ticks;
}

/**
 * What a person would see go wrong, collected for a whole browser context: CSP violations
 * (a `securitypolicyviolation` listener installed before any page script), console
 * errors, uncaught exceptions, HTTP errors and failed requests (except requests the
 * script's own navigation cancelled, net::ERR_ABORTED, and `allow`ed URL patterns).
 * Returns {problems, csp(page)}: call `await csp(page)` before leaving a page.
 */
export async function guard(context, page, { allow = [] } = {}) {
  const problems = [];
  const allowed = (text) => allow.some((re) => re.test(text));
  const add = (text) => {
    if (!allowed(text)) problems.push(text);
  };
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__csp.push(`CSP ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
    );
  });
  page.on("console", (m) => {
    if (m.type() === "error") add(`console: ${m.text()} (${page.url()})`);
  });
  page.on("pageerror", (e) => add(`pageerror: ${e.message} (${page.url()})`));
  page.on("response", (r) => {
    if (r.status() >= 400) add(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`);
  });
  page.on("requestfailed", (r) => {
    const error = r.failure()?.errorText ?? "";
    if (error !== "net::ERR_ABORTED") add(`failed ${r.method()} ${r.url()} ${error}`);
  });
  const csp = async (p = page) => {
    const v = await p.evaluate(() => window.__csp.splice(0)).catch(() => []);
    v.forEach(add);
  };
  return { problems, csp };
}

/** How far the page is wider than its viewport (0 = no sideways scrolling). */
export async function overflowX(page) {
  return page.evaluate(() => {
    const doc = document.documentElement;
    const widest = Math.max(doc.scrollWidth, document.body.scrollWidth);
    // the element that sticks out furthest, to say what to fix
    let culprit = "";
    let right = window.innerWidth;
    for (const el of document.querySelectorAll("body *")) {
      const r = el.getBoundingClientRect();
      if (r.right > right + 1 && r.width > 0) {
        let clipped = false;
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
          const s = getComputedStyle(p);
          if (s.overflowX !== "visible" && p.getBoundingClientRect().right <= window.innerWidth + 1) {
            clipped = true;
            break;
          }
        }
        if (!clipped) {
          right = r.right;
          culprit = `${el.tagName.toLowerCase()}.${el.className}`.slice(0, 80);
        }
      }
    }
    if (!culprit && widest > window.innerWidth) {
      // nothing sticks out unclipped: name the widest element all the same (e.g. one whose
      // scrolling box is itself wider than the viewport)
      let far = window.innerWidth;
      for (const el of document.querySelectorAll("body *")) {
        const r = el.getBoundingClientRect();
        if (r.right > far + 1) {
          far = r.right;
          culprit = `(clipped) ${el.tagName.toLowerCase()}.${el.className}`.slice(0, 80);
        }
      }
    }
    return { overflow: Math.max(0, widest - window.innerWidth), culprit, right: Math.round(right) };
  });
}

/**
 * axe-core (from node_modules, no CDN), run through the DevTools protocol so the page's
 * CSP does not apply to it; returns the serious and critical violations.
 */
export async function axe(page) {
  const source = readFileSync(path.join(REPO, "frontend", "node_modules", "axe-core", "axe.min.js"), "utf8");
  await page.evaluate(source);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
  });
  return result.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** Non-white pixels of an SVG element (a locator) drawn into a canvas: the plot renders. */
export async function countSvgPixels(locator) {
  return locator.evaluate(async (svg) => {
    const r = svg.getBoundingClientRect();
    const clone = svg.cloneNode(true);
    // inline the computed fill/stroke so the detached image looks like the page
    const src = svg.querySelectorAll("*");
    const dst = clone.querySelectorAll("*");
    src.forEach((el, i) => {
      const s = getComputedStyle(el);
      dst[i].setAttribute("fill", s.fill);
      dst[i].setAttribute("stroke", s.stroke);
    });
    clone.setAttribute("width", String(Math.round(r.width)));
    clone.setAttribute("height", String(Math.round(r.height)));
    clone.setAttribute("xmlns", "http://www.w3.org/2000/svg");
    const blob = new Blob([new XMLSerializer().serializeToString(clone)], { type: "image/svg+xml" });
    const url = URL.createObjectURL(blob);
    const img = new Image();
    img.src = url;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = Math.round(r.width);
    c.height = Math.round(r.height);
    const ctx = c.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.drawImage(img, 0, 0);
    URL.revokeObjectURL(url);
    const data = ctx.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235) n++;
    }
    return n;
  });
}

/** The two sizes every page flow checks: desktop and phone. */
export const SIZES = [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
];

/**
 * The steps a page flow is made of, writing into its record `out` (`failures`, `sizes`,
 * and `timings` when the record has it):
 * - `settle()`: network idle (at most `idleTimeout` ms when given), no spinner, then
 *   `ready(page)` and a short pause;
 * - `shots(name)`: a full-page screenshot `<prefix>-<name>-<width>.png` at both SIZES, with
 *   the sideways overflow and axe-core results of each;
 * - `section(name, fn)`: runs `fn`, records a failure (with a screenshot) instead of
 *   throwing, then the CSP check.
 */
export function flowSteps({ page, artifacts, prefix, out, log, csp, idleTimeout, ready, pauseMs = 400 }) {
  async function settle() {
    await page.waitForLoadState("networkidle", idleTimeout ? { timeout: idleTimeout } : {}).catch(() => {});
    await page.waitForFunction(() => !document.querySelector("[role=status] .spinner")).catch(() => {});
    if (ready) await ready(page);
    await page.waitForTimeout(pauseMs);
  }

  async function shots(name) {
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await settle();
      await page.screenshot({ path: path.join(artifacts, `${prefix}-${name}-${size.width}.png`), fullPage: true });
      out.sizes[`${name}-${size.width}`] = { overflow: await overflowX(page), axe: await axe(page) };
    }
    await page.setViewportSize(SIZES[0]);
  }

  async function section(name, fn) {
    const t0 = Date.now();
    try {
      await fn();
    } catch (e) {
      out.failures[name] = String(e?.stack ?? e);
      log(`FAILED ${name}: ${String(e).split("\n")[0]}`);
      await page
        .screenshot({ path: path.join(artifacts, `${prefix}-failure-${name}.png`), fullPage: true })
        .catch(() => {});
    }
    if (out.timings) out.timings[name] = (Date.now() - t0) / 1000;
    await csp();
  }

  return { settle, shots, section };
}
