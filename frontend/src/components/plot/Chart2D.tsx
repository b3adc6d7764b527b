/**
 * A small SVG x–y chart (axes with round ticks, markers with hover titles, lines, optional
 * error bars and non-overlapping point labels). Renders under a strict CSP (no eval, no
 * WebGL) and scales to its box's width; a few thousand markers are fine.
 * Shared by the parity plots and the binary phase diagrams; see docs/ui.md.
 */
import type { ReactNode } from "react";
import { columnFormatter } from "../../format/number";
import { linear, niceTicks, placeLabels, type LabelRequest, type Scale } from "./geometry";
import { Marker, type MarkerShape } from "./Marker";

export interface Point {
  x: number;
  y: number;
  /** Hover text (an SVG <title>). */
  title?: string;
  /** Error bar half-length in y. */
  dy?: number;
}

export interface Series {
  key: string;
  points: Point[];
  className: string;
  shape?: MarkerShape;
  size?: number;
}

export interface Line {
  key: string;
  points: Array<[number, number]>;
  className: string;
}

export interface Chart2DProps {
  xLabel: string;
  yLabel: string;
  xDomain: [number, number];
  yDomain: [number, number];
  series: Series[];
  lines?: Line[];
  /** Point labels in data coordinates, in priority order (placed without overlap). */
  labels?: LabelRequest[];
  width?: number;
  height?: number;
  ariaLabel: string;
  testId?: string;
  className?: string;
  /** Extra SVG drawn over the plot, given the scales. */
  children?: (sx: Scale, sy: Scale) => ReactNode;
}

const M = { l: 58, r: 12, t: 12, b: 44 };

export function Chart2D({
  xLabel,
  yLabel,
  xDomain,
  yDomain,
  series,
  lines = [],
  labels = [],
  width = 480,
  height = 360,
  ariaLabel,
  testId,
  className = "",
  children,
}: Chart2DProps) {
  const sx = linear(xDomain, [M.l, width - M.r]);
  const sy = linear(yDomain, [height - M.b, M.t]);
  const xt = niceTicks(xDomain[0], xDomain[1], 5);
  const yt = niceTicks(yDomain[0], yDomain[1], 5);
  const fx = columnFormatter(xt.length > 1 ? [xt[1] - xt[0]] : xt, 1);
  const fy = columnFormatter(yt.length > 1 ? [yt[1] - yt[0]] : yt, 1);
  const allPoints = series.flatMap((s) => s.points.map((p) => ({ x: sx(p.x), y: sy(p.y) })));
  const placed = placeLabels(
    labels.map((l) => ({ ...l, x: sx(l.x), y: sy(l.y) })),
    { x: M.l, y: M.t, w: width - M.l - M.r, h: height - M.t - M.b },
    allPoints,
  );
  return (
    <svg
      className={`chart ${className}`}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={ariaLabel}
      data-testid={testId}
    >
      <g className="grid" aria-hidden="true">
        {xt.map((t) => (
          <line key={`gx${t}`} x1={sx(t)} x2={sx(t)} y1={M.t} y2={height - M.b} />
        ))}
        {yt.map((t) => (
          <line key={`gy${t}`} x1={M.l} x2={width - M.r} y1={sy(t)} y2={sy(t)} />
        ))}
      </g>
      <g className="axis" aria-hidden="true">
        <rect x={M.l} y={M.t} width={width - M.l - M.r} height={height - M.t - M.b} className="frame" />
        {xt.map((t) => (
          <text key={`tx${t}`} x={sx(t)} y={height - M.b + 16} textAnchor="middle">
            {fx(t)}
          </text>
        ))}
        {yt.map((t) => (
          <text key={`ty${t}`} x={M.l - 6} y={sy(t) + 4} textAnchor="end">
            {fy(t)}
          </text>
        ))}
        <text className="axis-title" x={(M.l + width - M.r) / 2} y={height - 6} textAnchor="middle">
          {xLabel}
        </text>
        <text
          className="axis-title"
          transform={`translate(14 ${(M.t + height - M.b) / 2}) rotate(-90)`}
          textAnchor="middle"
        >
          {yLabel}
        </text>
      </g>
      <g clipPath="none">
        {lines.map((l) => (
          <polyline
            key={l.key}
            className={l.className}
            points={l.points.map(([x, y]) => `${sx(x)},${sy(y)}`).join(" ")}
            fill="none"
          />
        ))}
        {series.map((s) => (
          <g key={s.key} className={s.className} data-series={s.key}>
            {s.points.map((p, i) =>
              p.dy ? (
                <line key={`e${i}`} className="error-bar" x1={sx(p.x)} x2={sx(p.x)} y1={sy(p.y - p.dy)} y2={sy(p.y + p.dy)} />
              ) : null,
            )}
            {s.points.map((p, i) => (
              <Marker key={i} x={sx(p.x)} y={sy(p.y)} shape={s.shape} size={s.size} title={p.title} />
            ))}
          </g>
        ))}
        {children?.(sx, sy)}
      </g>
      <g className="point-labels">
        {placed.map((l) => (
          <text key={l.key} x={l.tx} y={l.ty}>
            {l.text}
          </text>
        ))}
      </g>
    </svg>
  );
}
