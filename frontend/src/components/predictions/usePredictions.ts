/** The predictions of one material (latest per property + history), shared by its panels. */
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Material } from "../../client/api";

/** How long to keep polling for the automatic prediction after upload (ms). */
export const AUTO_PREDICTION_WAIT = 5 * 60 * 1000;

type Subject = Pick<Material, "id" | "created_at" | "source" | "is_reference">;

/**
 * Whether an automatic prediction may still be on its way: only an upload of the caller's
 * own queues one (reference entries and batch rows never do), and only for a while.
 */
export function awaitsAutoPrediction(m: Subject, now = Date.now()): boolean {
  if (m.is_reference || m.source !== "upload") return false;
  return now - new Date(m.created_at).getTime() < AUTO_PREDICTION_WAIT;
}

export function useMaterialPredictions(m: Subject) {
  const waiting = awaitsAutoPrediction(m);
  return useQuery({
    queryKey: ["predictions", m.id],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/materials/{material_id}/predictions", {
          params: { path: { material_id: m.id } },
        }),
      ),
    // the upload queued a prediction: poll until it lands
    refetchInterval: (q) => ((q.state.data?.latest.length ?? 0) === 0 && waiting ? 1500 : false),
  });
}
