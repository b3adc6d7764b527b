/**
 * Server-Sent Events over fetch. `EventSource` cannot send an `Authorization` header, so in
 * server mode it would get 401; this reader sends the header (through the auth session,
 * with its one refresh-and-retry on a 401) and parses the stream itself.
 */
import { session } from "../auth/session";
import { ApiError, errorMessage } from "./api";

export interface SseEvent {
  /** The `event:` field; "message" when absent. */
  event: string;
  /** The `data:` lines joined with "\n". */
  data: string;
  id?: string;
}

/**
 * Incremental parser of the `text/event-stream` format (WHATWG HTML, "Server-sent
 * events"): feed it decoded text in chunks of any size, it returns the complete events.
 * Lines end with LF, CRLF or CR; a blank line dispatches; `:` starts a comment; one space
 * after the colon is dropped; an event without data is not dispatched.
 */
export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private event = "";
  private id: string | undefined;
  private lastId: string | undefined;

  feed(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const out: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const lf = this.buffer.indexOf("\n", start);
      const cr = this.buffer.indexOf("\r", start);
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        // a CR at the very end may be the first half of a CRLF split across chunks
        if (cr === this.buffer.length - 1) break;
        end = cr;
        next = this.buffer[cr + 1] === "\n" ? cr + 2 : cr + 1;
      } else if (lf !== -1) {
        end = lf;
        next = lf + 1;
      } else {
        break;
      }
      const event = this.line(this.buffer.slice(start, end));
      if (event) out.push(event);
      start = next;
    }
    this.buffer = this.buffer.slice(start);
    return out;
  }

  private line(line: string): SseEvent | null {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id" && !value.includes("\0")) this.id = value;
    // "retry" and unknown fields: ignored (reconnection is the caller's business)
    return null;
  }

  private dispatch(): SseEvent | null {
    if (this.id !== undefined) this.lastId = this.id;
    const event =
      this.data.length === 0
        ? null
        : { event: this.event || "message", data: this.data.join("\n"), id: this.lastId };
    this.data = [];
    this.event = "";
    this.id = undefined;
    return event;
  }
}

export interface SseOptions {
  signal: AbortSignal;
  onOpen?: () => void;
  onEvent: (event: SseEvent) => void;
}

/**
 * Read one SSE connection until the server closes it (resolves) or `signal` aborts
 * (rejects with an AbortError). A non-2xx answer rejects with an ApiError.
 */
export async function readEventStream(url: string, { signal, onOpen, onEvent }: SseOptions): Promise<void> {
  const res = await session.fetch(url, {
    headers: { Accept: "text/event-stream" },
    cache: "no-store",
    signal,
  });
  if (!res.ok || !res.body) {
    const body: unknown = await res.json().catch(() => ({}));
    throw new ApiError(errorMessage(body, res.status), res.status, body);
  }
  onOpen?.();
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      for (const event of parser.feed(decoder.decode(value, { stream: true }))) onEvent(event);
    }
  } finally {
    reader.releaseLock();
  }
}
