import { describe, expect, it } from "vitest";
import { errorMessage, unwrap } from "./api";

describe("errorMessage", () => {
  it("says what a viewer's 403, a quota's 402 and a 429 mean, then the server's detail", () => {
    expect(errorMessage({ detail: "your role in this organisation is read-only (viewer)" }, 403)).toBe(
      "Not allowed: your role in this organisation is read-only (viewer)",
    );
    expect(errorMessage({ detail: "monthly prediction quota reached: 1,000 of 1,000 used" }, 402)).toBe(
      "Quota exceeded: monthly prediction quota reached: 1,000 of 1,000 used",
    );
    expect(errorMessage({ detail: "1 job(s) already queued or running" }, 429, 30)).toBe(
      "Too many requests: 1 job(s) already queued or running (retry in 30 s)",
    );
    expect(errorMessage({ detail: "no such material" }, 404)).toBe("no such material");
  });

  it("unwrap carries status and Retry-After", async () => {
    const response = new Response("{}", { status: 429, headers: { "Retry-After": "12" } });
    await expect(unwrap(Promise.resolve({ error: { detail: "slow down" }, response }))).rejects.toMatchObject({
      status: 429,
      retryAfter: 12,
      message: "Too many requests: slow down (retry in 12 s)",
    });
  });
});
