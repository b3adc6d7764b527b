/** One plot marker (circle, diamond or star) with an optional hover title. */
export type MarkerShape = "circle" | "diamond" | "star";

function starPath(x: number, y: number, r: number): string {
  const pts: string[] = [];
  for (let i = 0; i < 10; i++) {
    const a = (Math.PI / 5) * i - Math.PI / 2;
    const rr = i % 2 === 0 ? r : r * 0.45;
    pts.push(`${(x + rr * Math.cos(a)).toFixed(2)},${(y + rr * Math.sin(a)).toFixed(2)}`);
  }
  return `M${pts.join("L")}Z`;
}

export function Marker({
  x,
  y,
  shape = "circle",
  size = 3,
  title,
  className,
}: {
  x: number;
  y: number;
  shape?: MarkerShape;
  size?: number;
  title?: string;
  className?: string;
}) {
  const t = title ? <title>{title}</title> : null;
  if (shape === "diamond") {
    const d = `M${x},${y - size}L${x + size},${y}L${x},${y + size}L${x - size},${y}Z`;
    return (
      <path d={d} className={className}>
        {t}
      </path>
    );
  }
  if (shape === "star") {
    return (
      <path d={starPath(x, y, size)} className={className}>
        {t}
      </path>
    );
  }
  return (
    <circle cx={x} cy={y} r={size} className={className}>
      {t}
    </circle>
  );
}

/** A legend of marker styles (an HTML list, so it wraps on a phone). */
export function Legend({ items }: { items: Array<{ label: string; className: string; shape?: MarkerShape }> }) {
  return (
    <ul className="legend small" aria-label="Legend">
      {items.map((i) => (
        <li key={i.label}>
          <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" className={i.className}>
            <Marker x={7} y={7} shape={i.shape} size={i.shape === "star" ? 6.5 : 4.5} />
          </svg>
          {i.label}
        </li>
      ))}
    </ul>
  );
}
