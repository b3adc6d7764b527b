import { describe, expect, it } from "vitest";
import { filenameFromDisposition } from "./download";
import { SseParser } from "./sse";

describe("SseParser", () => {
  it("parses the job stream's events", () => {
    const p = new SseParser();
    const events = p.feed(
      'event: progress\ndata: {"id":1,"rows_done":3}\n\n: keep-alive\n\nevent: end\ndata: {"status":"succeeded"}\n\n',
    );
    expect(events).toEqual([
      { event: "progress", data: '{"id":1,"rows_done":3}', id: undefined },
      { event: "end", data: '{"status":"succeeded"}', id: undefined },
    ]);
  });

  it("reassembles events split across chunks anywhere, CRLF included", () => {
    const text = 'event: progress\r\ndata: {"a":1}\r\n\r\nevent: end\r\ndata: x\r\n\r\n';
    for (let cut = 1; cut < text.length; cut++) {
      const p = new SseParser();
      const events = [...p.feed(text.slice(0, cut)), ...p.feed(text.slice(cut))];
      expect(events.map((e) => [e.event, e.data]), `cut at ${cut}`).toEqual([
        ["progress", '{"a":1}'],
        ["end", "x"],
      ]);
    }
  });

  it("joins data lines, defaults the type, keeps the last id, drops data-less events", () => {
    const p = new SseParser();
    expect(p.feed("id: 7\ndata: one\ndata:two\ndata\n\nevent: ping\n\ndata: three\r")).toEqual([
      { event: "message", data: "one\ntwo\n", id: "7" },
    ]);
    // a CR at a chunk end is held until the next chunk shows whether an LF follows (CRLF)
    expect(p.feed("\n")).toEqual([]);
    expect(p.feed("\n")).toEqual([{ event: "message", data: "three", id: "7" }]);
  });

  it("holds an incomplete event until its blank line", () => {
    const p = new SseParser();
    expect(p.feed("event: progress\ndata: {")).toEqual([]);
    expect(p.feed('"x":1}\n')).toEqual([]);
    expect(p.feed("\n")).toEqual([{ event: "progress", data: '{"x":1}', id: undefined }]);
  });
});

describe("filenameFromDisposition", () => {
  it("reads the server's filenames", () => {
    expect(filenameFromDisposition('attachment; filename="job-4-results.csv"')).toBe("job-4-results.csv");
    expect(filenameFromDisposition("attachment; filename=LiCoO2_3.cif")).toBe("LiCoO2_3.cif");
    expect(filenameFromDisposition("attachment; filename*=UTF-8''Li%C3%A9.cif")).toBe("Lié.cif");
    expect(filenameFromDisposition(null)).toBeUndefined();
  });
});
