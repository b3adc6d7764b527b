// The server-mode user flow in real headless Chromium. Usage:
//   E2E_PASSWORD=... node tests/e2e/login_flow.mjs BASE_URL ARTIFACT_DIR CIF_PATH EMAIL CSV_PATH
// login form → wrong password → right password → explorer with the email in the top bar
// → reload keeps the session → upload a CIF → material page → authenticated download →
// a batch job's live progress (fetch-based SSE with the token) and its CSV → log out → login form (and the old refresh token no longer works).
// Prints one JSON object with everything the pytest wrapper asserts on.
import { mkdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { launch } from "./browser.mjs";

const [base, artifacts, cifPath, email, csvPath] = process.argv.slice(2);
const password = process.env.E2E_PASSWORD;
mkdirSync(artifacts, { recursive: true });
const out = { steps: [], consoleErrors: [], httpErrors: [] };
const shot = (page, name) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
const step = (s) => {
  out.steps.push(s);
  process.stderr.write(`[e2e-server] ${s}\n`);
};

const { context, close } = await launch();
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(30_000);
page.on("console", (m) => {
  if (m.type() === "error") out.consoleErrors.push({ text: m.text(), url: m.location()?.url ?? "" });
});
page.on("response", (r) => {
  if (r.status() >= 400) {
    out.httpErrors.push({ status: r.status(), method: r.request().method(), path: new URL(r.url()).pathname });
  }
});
out.sse = [];
page.on("response", (r) => {
  if (/\/api\/v1\/jobs\/\d+\/events$/.test(new URL(r.url()).pathname)) out.sse.push(r.status());
});
page.on("pageerror", (e) => out.consoleErrors.push({ text: `pageerror: ${e.message}`, url: "" }));

const refreshToken = () => page.evaluate(() => sessionStorage.getItem("matdiscover.refresh_token"));

try {
  // 1. a first visit: the login form, nothing of the app
  await page.goto(base + "/materials");
  await page.getByRole("heading", { name: "MatDiscover" }).waitFor();
  await page.getByLabel("Email").waitFor();
  out.loginFormShown = await page.getByLabel("Password").isVisible();
  out.navHiddenBeforeLogin = (await page.getByRole("navigation", { name: "Main" }).count()) === 0;
  out.emailFocused = await page.evaluate(() => document.activeElement?.id === "login-email");
  await shot(page, "server-01-login");
  step("login form");

  // 2. wrong password → the error, with the keyboard only
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByLabel("Password").press("Enter");
  const error = page.locator("[data-testid=login-error]");
  await error.waitFor();
  out.wrongPasswordError = await error.innerText();
  await shot(page, "server-02-wrong-password");
  step(`wrong password: ${out.wrongPasswordError}`);

  // 3. right password → the explorer (same URL as asked for) with the user in the top bar
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.locator("[data-testid=user-email]").waitFor();
  out.topBarEmail = await page.locator("[data-testid=user-email]").innerText();
  out.topBar = await page.locator("[data-testid=user-menu]").innerText();
  out.topBarOrg = await page.locator("[data-testid=user-org]").textContent();
  out.topBarRole = await page.locator("[data-testid=user-role]").textContent();
  out.urlAfterLogin = new URL(page.url()).pathname;
  await page.getByRole("navigation", { name: "Main" }).waitFor();
  out.refreshTokenStored = Boolean(await refreshToken());
  await shot(page, "server-03-explorer");
  step(`logged in: ${out.topBar.replace(/\s+/g, " ")}`);

  // the API itself refuses a request without the token (this really is server mode)
  out.unauthenticatedStatus = (await page.request.get(base + "/api/v1/materials")).status();

  // 4. a reload keeps the session (refresh token in sessionStorage → new access token)
  await page.reload();
  await page.locator("[data-testid=user-email]").waitFor();
  out.sessionSurvivesReload = (await page.locator("[data-testid=user-email]").innerText()) === email;
  step("reload: still logged in");

  // 5. upload a CIF from the front page → material page
  await page.getByRole("link", { name: "MatDiscover", exact: true }).click();
  await page.locator("[data-testid=file-input]").setInputFiles(cifPath);
  await page.waitForURL(/\/materials\/\d+$/);
  await page.locator("[data-testid=material-formula]").waitFor();
  out.materialFormula = await page.locator("[data-testid=material-formula]").innerText();
  out.materialUrl = new URL(page.url()).pathname;
  step(`material page ${out.materialUrl}: ${out.materialFormula}`);

  // 6. a structure download carries the token (fetch + Blob), keeping the server's filename
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "CIF", exact: true }).click(),
  ]);
  out.downloadName = download.suggestedFilename();
  const file = await download.path();
  out.downloadBytes = file ? statSync(file).size : 0;
  await page.locator("[data-testid=viewer-canvas]").waitFor();
  await page.waitForTimeout(500);
  await shot(page, "server-04-material");
  step(`download ${out.downloadName} (${out.downloadBytes} bytes)`);

  // 7. a batch job: its progress stream needs the token too (EventSource could not send it)
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Batch jobs" }).click();
  await page.locator("[data-testid=batch-file]").setInputFiles(csvPath);
  await page.getByRole("button", { name: "Submit job" }).click();
  await page.waitForURL(/\/jobs\/\d+$/);
  // wait for a final status: 100 % processed can show while the job is still finishing
  await page.waitForFunction(
    () =>
      ["succeeded", "failed", "cancelled"].includes(
        document.querySelector("[data-testid=job-status]")?.textContent ?? "",
      ),
    null,
    { timeout: 90_000 },
  );
  out.jobUrl = new URL(page.url()).pathname;
  out.jobStatus = await page.locator("[data-testid=job-status]").textContent();
  const csv = page.locator("[data-testid=download-csv]");
  await csv.waitFor();
  const [results] = await Promise.all([page.waitForEvent("download"), csv.click()]);
  out.resultsName = results.suggestedFilename();
  out.resultsLines = readFileSync(await results.path(), "utf-8").trim().split("\n").length;
  await shot(page, "server-05-job");
  step(`job ${out.jobStatus}; SSE ${JSON.stringify(out.sse)}; ${out.resultsName} ${out.resultsLines} lines`);

  // 8. log out → the login form; the refresh token is gone and revoked on the server
  const oldRefresh = await refreshToken();
  await page.getByRole("button", { name: "Log out" }).click();
  await page.getByLabel("Email").waitFor();
  out.loginFormAfterLogout = await page.getByRole("button", { name: "Log in" }).isVisible();
  out.refreshTokenAfterLogout = await refreshToken();
  out.oldRefreshTokenStatus = (
    await page.request.post(base + "/api/v1/auth/refresh", { data: { refresh_token: oldRefresh } })
  ).status();
  await shot(page, "server-06-logged-out");
  step("logged out");
} catch (e) {
  out.failure = String(e?.stack ?? e);
  step(`FAILED: ${String(e).split("\n")[0]}`);
  await shot(page, "server-99-failure").catch(() => {});
} finally {
  await close();
}
process.stdout.write(JSON.stringify(out) + "\n");
