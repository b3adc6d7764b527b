// Viewer frame rate: open a material page in headless Chromium (software WebGL via
// SwiftShader), rotate the model for a few seconds in each display mode and count the
// frames actually rendered, and the browser's CPU time per frame (less sensitive to other
// programs running than the frame rate). Usage: node benchmarks/viewer_fps.mjs MATERIAL_URL SECONDS
import { loadavg } from "node:os";
import { browserCpuSeconds, launch } from "../tests/e2e/browser.mjs";

const [url, seconds = "5"] = process.argv.slice(2);
const { context, profile, close } = await launch({ width: 1440, height: 900 });
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(180_000);
const errors = [];
page.on("pageerror", (e) => errors.push(e.message));
const result = { url, modes: {}, errors };
try {
  await page.goto(url);
  await page.locator("[data-testid=viewer-canvas]").waitFor();
  result.renderer = await page.evaluate(() => {
    const gl = document.querySelector("[data-testid=viewer-canvas]").getContext("webgl2");
    const ext = gl?.getExtension("WEBGL_debug_renderer_info");
    return ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : "unknown";
  });
  result.canvas = await page.evaluate(() => {
    const c = document.querySelector("[data-testid=viewer-canvas]");
    return { width: c.width, height: c.height };
  });
  for (const [mode, label] of [
    ["ball-and-stick", "Ball and stick"],
    ["space-filling", "Space filling"],
    ["polyhedra", "Polyhedra"],
  ]) {
    await page.getByLabel(label, { exact: true }).check();
    await page.waitForFunction((m) => window.__matdiscoverViewer?.mode === m, mode);
    await page.evaluate(() => window.__matdiscoverViewer.spin(1000)); // warm-up
    const load = loadavg()[0];
    const cpu0 = browserCpuSeconds(profile);
    const r = await page.evaluate((ms) => window.__matdiscoverViewer.spin(ms), Number(seconds) * 1000);
    const cpuMsPerFrame = ((browserCpuSeconds(profile) - cpu0) * 1000) / r.frames;
    result.modes[mode] = {
      ...r,
      browser_cpu_ms_per_frame: Math.round(cpuMsPerFrame * 10) / 10,
      load_average_1min_before: Math.round(load * 100) / 100,
      atoms_drawn: await page.evaluate(() => window.__matdiscoverViewer.atoms),
    };
    process.stderr.write(`${mode}: ${r.fps.toFixed(1)} fps, ${cpuMsPerFrame.toFixed(1)} CPU ms/frame\n`);
  }
} finally {
  await close();
}
process.stdout.write(JSON.stringify(result) + "\n");
