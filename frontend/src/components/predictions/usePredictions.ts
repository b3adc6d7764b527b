/** The predictions of one material (latest per property + history), shared by its panels. */
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Material } from "../../client/api";

/** How long to keep polling for the automatic prediction after upload (ms). */
export const AUTO_PREDICTION_WAIT = 5 * 60 * 1000;

export function useMaterialPredictions(m: Pick<Material, "id" | "created_at">) {
  const age = Date.now() - new Date(m.created_at).getTime();
  return useQuery({
    queryKey: ["predictions", m.id],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/materials/{material_id}/predictions", {
          params: { path: { material_id: m.id } },
        }),
      ),
    // the upload queued a prediction: poll until it lands
    refetchInterval: (q) =>
      (q.state.data?.latest.length ?? 0) === 0 && age < AUTO_PREDICTION_WAIT ? 1500 : false,
  });
}
