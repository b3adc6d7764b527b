/**
 * Following a queued job from a page: `getJob`, the live event stream (`useJobEvents`) and
 * `useFollowedJob`, which polls as a fallback and calls `onFinished` once when it stops.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { API_BASE, api, unwrap, type Job } from "../../client/api";
import { readEventStream } from "../../client/sse";
import { isActive } from "./JobProgress";

export const getJob = (jobId: number) =>
  unwrap(api.GET("/api/v1/jobs/{job_id}", { params: { path: { job_id: jobId } } }));

/** Wait before reconnecting a dropped event stream (EventSource's default is similar). */
const RECONNECT_MS = 3000;

/**
 * Subscribe to `GET /jobs/{id}/events` (a fetch-based reader: it sends the
 * `Authorization` header that EventSource cannot); writes each progress event into the
 * query cache, reconnects after a dropped connection and stops on `end` or unmount.
 */
export function useJobEvents(jobId: number, enabled: boolean) {
  const queryClient = useQueryClient();
  const [live, setLive] = useState(false);
  useEffect(() => {
    if (!enabled) return;
    const abort = new AbortController();
    let ended = false;
    const run = async () => {
      while (!ended && !abort.signal.aborted) {
        try {
          await readEventStream(`${API_BASE}/jobs/${jobId}/events`, {
            signal: abort.signal,
            onOpen: () => setLive(true),
            onEvent: ({ event, data }) => {
              if (event === "progress") {
                queryClient.setQueryData(["job", jobId], JSON.parse(data) as Job);
              } else if (event === "end") {
                ended = true;
                void queryClient.invalidateQueries({ queryKey: ["job", jobId] });
                void queryClient.invalidateQueries({ queryKey: ["job-errors", jobId] });
              }
            },
          });
        } catch (e) {
          if (abort.signal.aborted) return;
          const status = (e as { status?: number }).status;
          // the job is gone or the session ended: polling (or the login page) takes over
          if (status && status >= 400 && status < 500 && status !== 429) ended = true;
        }
        setLive(false);
        if (!ended) await new Promise((r) => setTimeout(r, RECONNECT_MS));
      }
    };
    void run();
    return () => {
      abort.abort();
      setLive(false);
    };
  }, [jobId, enabled, queryClient]);
  return live;
}

/**
 * A job started from this page: its state (polled every `pollMs` while it runs, and
 * updated live from its event stream), and `onFinished` called once when it stops running.
 * Until the first answer the job counts as running, so the stream opens at once.
 */
export function useFollowedJob(jobId: number, pollMs: number, onFinished: () => void) {
  const job = useQuery({
    queryKey: ["job", jobId],
    queryFn: () => getJob(jobId),
    refetchInterval: (q) => (q.state.data && isActive(q.state.data) ? pollMs : false),
  });
  const active = job.data ? isActive(job.data) : true;
  const live = useJobEvents(jobId, active);
  const finished = useRef(false);
  useEffect(() => {
    if (job.data && !isActive(job.data) && !finished.current) {
      finished.current = true;
      onFinished();
    }
  }, [job.data, onFinished]);
  return { job, active, live };
}
