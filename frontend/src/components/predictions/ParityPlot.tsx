/** Parity plot (reference vs predicted, held-out sample) with Plotly, loaded on demand. */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { api, unwrap } from "../../client/api";
import { propertyLabel } from "../../client/properties";
import { ErrorBox, Loading } from "../common/Status";

export function ParityPlot({ name }: { name: string }) {
  const el = useRef<HTMLDivElement>(null);
  const parity = useQuery({
    queryKey: ["parity", name],
    queryFn: () => unwrap(api.GET("/api/v1/models/{name}/parity", { params: { path: { name } } })),
    retry: false,
    staleTime: Infinity,
  });
  useEffect(() => {
    const host = el.current;
    const data = parity.data;
    if (!host || !data || data.points.length === 0) return;
    let cancelled = false;
    void import("plotly.js-dist-min").then(({ default: Plotly }) => {
      if (cancelled) return;
      const xs = data.points.map((p) => p.true);
      const ys = data.points.map((p) => p.pred);
      const lo = Math.min(...xs, ...ys);
      const hi = Math.max(...xs, ...ys);
      const label = `${propertyLabel(data.property)} (${data.unit})`;
      void Plotly.react(
        host,
        [
          {
            x: xs,
            y: ys,
            text: data.points.map((p) => p.formula),
            error_y: { type: "data", array: data.points.map((p) => p.std ?? 0), visible: true, thickness: 0.5, width: 0, color: "rgba(37,111,179,0.25)" },
            mode: "markers",
            type: "scattergl",
            marker: { size: 4, color: "rgba(37,111,179,0.6)" },
            name: "held-out",
            hovertemplate: "%{text}<br>reference %{x:.3g}<br>predicted %{y:.3g}<extra></extra>",
          },
          { x: [lo, hi], y: [lo, hi], mode: "lines", line: { color: "#888", dash: "dash" }, name: "y = x", hoverinfo: "skip" },
        ],
        {
          margin: { l: 60, r: 10, t: 10, b: 50 },
          xaxis: { title: { text: `Reference ${label}` } },
          yaxis: { title: { text: `Predicted ${label}` }, scaleanchor: "x" },
          showlegend: false,
          height: 340,
        },
        { displaylogo: false, responsive: true },
      );
    });
    return () => {
      cancelled = true;
    };
  }, [parity.data]);
  useEffect(() => {
    const host = el.current;
    return () => {
      if (host) void import("plotly.js-dist-min").then(({ default: P }) => P.purge(host));
    };
  }, []);
  if (parity.isPending) return <Loading label="Loading parity data…" />;
  if (parity.isError) return <ErrorBox error={parity.error} />;
  if (parity.data.points.length === 0) {
    return <p className="muted small">No held-out parity sample for this model.</p>;
  }
  return (
    <div
      ref={el}
      className="parity-plot"
      role="img"
      aria-label={`Parity plot of ${name}: ${parity.data.points.length} held-out predictions against reference values`}
    />
  );
}
