/**
 * A download that works in server mode: the click fetches the file with the session's
 * `Authorization` header and saves it from a Blob (see client/download.ts). The `href`
 * stays the API URL, so the link still says where the file comes from.
 */
import { useState, type ReactNode } from "react";
import { downloadWithAuth } from "../../client/download";

interface Props {
  url: string;
  /** Used when the server sends no Content-Disposition filename. */
  filename: string;
  className?: string;
  children: ReactNode;
  "data-testid"?: string;
}

export function DownloadLink({ url, filename, className = "button", children, ...rest }: Props) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <a
        className={className}
        href={url}
        download={filename}
        aria-busy={busy || undefined}
        data-testid={rest["data-testid"]}
        onClick={(e) => {
          e.preventDefault();
          if (busy) return;
          setBusy(true);
          setError(null);
          downloadWithAuth(url, filename)
            .catch((err: unknown) => setError(`Download failed: ${err instanceof Error ? err.message : String(err)}`))
            .finally(() => setBusy(false));
        }}
      >
        {children}
      </a>
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </>
  );
}
