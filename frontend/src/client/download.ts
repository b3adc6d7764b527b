/**
 * Downloads that carry credentials. A plain `<a href download>` cannot send an
 * `Authorization` header (server mode answers it 401), so the file is fetched through the
 * auth session, kept as a Blob and saved through a temporary object URL, under the
 * server's filename (Content-Disposition) or the given fallback.
 */
import { session } from "../auth/session";
import { ApiError, errorMessage } from "./api";

/** The filename of a `Content-Disposition: attachment; filename="..."` header. */
export function filenameFromDisposition(header: string | null): string | undefined {
  if (!header) return undefined;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // fall through to the plain parameter
    }
  }
  const plain = /filename\s*=\s*(?:"([^"]*)"|([^;]+))/.exec(header);
  const name = (plain?.[1] ?? plain?.[2])?.trim();
  return name || undefined;
}

/** Fetch `url` with the session's credentials and save it as a file. */
export async function downloadWithAuth(url: string, fallbackName: string): Promise<string> {
  const res = await session.fetch(url);
  if (!res.ok) {
    const body: unknown = await res.json().catch(() => ({}));
    throw new ApiError(errorMessage(body, res.status), res.status, body);
  }
  const blob = await res.blob();
  const name = filenameFromDisposition(res.headers.get("Content-Disposition")) ?? fallbackName;
  const href = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = href;
  a.download = name;
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // the browser has taken the blob once the click was handled; give slow disks time
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
  return name;
}
