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
