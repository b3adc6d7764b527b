/**
 * A molecule's 2D depiction (`GET /molecules/{id}/depiction.svg`, PAINS atoms red,
 * Brenk/NIH amber). Fetched with the session's credentials (server mode needs the
 * `Authorization` header, which an `<img src>` cannot send) and shown from a blob: URL, so
 * the server's SVG never becomes part of the page's DOM.
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { session } from "../../auth/session";
import { depictionUrl } from "./moleculeApi";

async function fetchSvg(id: number): Promise<Blob> {
  const res = await session.fetch(depictionUrl(id));
  if (!res.ok) throw new Error(`depiction failed (HTTP ${res.status})`);
  return res.blob();
}

/** An object URL of the blob, revoked when the blob changes or the component unmounts. */
function useObjectUrl(blob: Blob | undefined): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!blob) return;
    const u = URL.createObjectURL(blob);
    setUrl(u);
    return () => {
      URL.revokeObjectURL(u);
      setUrl(null);
    };
  }, [blob]);
  return url;
}

export function Depiction({
  id,
  alt,
  className = "depiction",
  testId,
}: {
  id: number;
  alt: string;
  className?: string;
  testId?: string;
}) {
  const svg = useQuery({ queryKey: ["molecule-depiction", id], queryFn: () => fetchSvg(id), staleTime: Infinity });
  const url = useObjectUrl(svg.data);
  if (svg.isError) return <span className="muted small">no drawing</span>;
  if (!url) return <span className={`${className} placeholder`} aria-hidden="true" />;
  return <img className={className} src={url} alt={alt} data-testid={testId} width={400} height={300} />;
}
