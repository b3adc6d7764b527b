/** The predictions of one material (latest per property + history), shared by its panels. */
import { useQuery } from "@tanstack/react-query";
import { api, unwrap, type Material } from "../../client/api";

type Subject = Pick<Material, "id">;

/**
 * Latest and earlier predictions; polls every 1.5 s while the server reports an automatic
 * prediction of this material as queued or running (`pending`).
 */
export function useMaterialPredictions(m: Subject) {
  return useQuery({
    queryKey: ["predictions", m.id],
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/materials/{material_id}/predictions", {
          params: { path: { material_id: m.id } },
        }),
      ),
    refetchInterval: (q) => (q.state.data?.pending ? 1500 : false),
  });
}
