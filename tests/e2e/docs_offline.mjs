// Open /docs (Swagger UI) and /redoc in headless chromium and report what rendered, what
// the pages requested, console errors and Content-Security-Policy violations, as JSON.
// Usage: node docs_offline.mjs BASE_URL
import { launch } from "./browser.mjs";

const base = process.argv[2];
const { context, close } = await launch();
const result = { requests: [], consoleErrors: [], cspViolations: [] };
try {
  const page = await context.newPage();
  page.on("request", (req) => result.requests.push(req.url()));
  page.on("console", (msg) => {
    if (msg.type() === "error") result.consoleErrors.push(msg.text());
  });
  page.on("pageerror", (err) => result.consoleErrors.push(String(err)));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__csp = (window.__csp || []).concat(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });

  await page.goto(`${base}/docs`);
  await page.waitForSelector(".swagger-ui .opblock", { timeout: 60000 });
  result.swaggerOperations = await page.locator(".swagger-ui .opblock").count();
  result.swaggerTitle = (await page.locator(".swagger-ui .info .title").innerText()).trim();
  result.cspViolations.push(...(await page.evaluate(() => window.__csp || [])));

  await page.goto(`${base}/redoc`);
  await page.waitForSelector("[data-section-id^='operation/']", { timeout: 60000 });
  result.redocOperations = await page.locator("[data-section-id^='operation/']").count();
  result.redocTitle = (await page.locator("h1").first().innerText()).trim();
  result.cspViolations.push(...(await page.evaluate(() => window.__csp || [])));
} finally {
  await close();
}
console.log(JSON.stringify(result));
