/** Parity plot (reference vs predicted, held-out sample) as SVG: renders under the strict CSP. */
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../client/api";
import { propertyLabel } from "../../client/properties";
import { formatNumber } from "../../format/number";
import { Chart2D } from "../plot/Chart2D";
import { extent } from "../plot/geometry";
import { ErrorBox, Loading } from "../common/Status";

export function ParityPlot({ name }: { name: string }) {
  const parity = useQuery({
    queryKey: ["parity", name],
    queryFn: () => unwrap(api.GET("/api/v1/models/{name}/parity", { params: { path: { name } } })),
    retry: false,
    staleTime: Infinity,
  });
  if (parity.isPending) return <Loading label="Loading parity data…" />;
  if (parity.isError) return <ErrorBox error={parity.error} />;
  const data = parity.data;
  if (data.points.length === 0) {
    return <p className="muted small">No held-out parity sample for this model.</p>;
  }
  const domain = extent(data.points.flatMap((p) => [p.true, p.pred]), 0.04);
  const label = `${propertyLabel(data.property)} (${data.unit})`;
  return (
    <div className="parity-plot plot-box" data-testid="parity-plot">
      <Chart2D
        xLabel={`Reference ${label}`}
        yLabel={`Predicted ${label}`}
        xDomain={domain}
        yDomain={domain}
        width={420}
        height={400}
        ariaLabel={`Parity plot of ${name}: ${data.points.length} held-out predictions against reference values`}
        lines={[{ key: "diagonal", className: "diagonal", points: [[domain[0], domain[0]], [domain[1], domain[1]]] }]}
        series={[
          {
            key: "held-out",
            className: "parity-points",
            size: 2.2,
            points: data.points.map((p) => ({
              x: p.true,
              y: p.pred,
              dy: p.std ?? undefined,
              title: `${p.formula}: reference ${formatNumber(p.true)}, predicted ${formatNumber(p.pred)}`,
            })),
          },
        ]}
      />
    </div>
  );
}
