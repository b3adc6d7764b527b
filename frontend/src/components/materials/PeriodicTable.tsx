import { useRef, useState, type KeyboardEvent } from "react";

/**
 * Clickable periodic table: each click cycles an element through
 * neutral → include (must contain) → exclude (must not contain) → neutral.
 */
export type ElementState = "include" | "exclude";

// [symbol, period (row), group (column)]; lanthanides/actinides on rows 8 and 9
const ELEMENTS: Array<[string, number, number]> = (() => {
  const rows: string[][] = [
    ["H", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "He"],
    ["Li", "Be", "", "", "", "", "", "", "", "", "", "", "B", "C", "N", "O", "F", "Ne"],
    ["Na", "Mg", "", "", "", "", "", "", "", "", "", "", "Al", "Si", "P", "S", "Cl", "Ar"],
    ["K", "Ca", "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Ga", "Ge", "As", "Se", "Br", "Kr"],
    ["Rb", "Sr", "Y", "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I", "Xe"],
    ["Cs", "Ba", "La", "Hf", "Ta", "W", "Re", "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po", "At", "Rn"],
    ["Fr", "Ra", "Ac", "Rf", "Db", "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh", "Fl", "Mc", "Lv", "Ts", "Og"],
    ["", "", "", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", ""],
    ["", "", "", "Th", "Pa", "U", "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm", "Md", "No", "Lr", ""],
  ];
  const out: Array<[string, number, number]> = [];
  rows.forEach((r, i) => r.forEach((s, j) => s && out.push([s, i + 1, j + 1])));
  return out;
})();

export const ELEMENT_SYMBOLS = new Set(ELEMENTS.map((e) => e[0]));

export function nextState(s: ElementState | undefined): ElementState | undefined {
  return s === undefined ? "include" : s === "include" ? "exclude" : undefined;
}

interface Props {
  value: Record<string, ElementState>;
  onChange: (next: Record<string, ElementState>) => void;
}

const POSITION = new Map(ELEMENTS.map(([sym, row, col]) => [sym, { row, col }]));

/**
 * The element the arrow key moves to from `sym`: the nearest in that direction (same row
 * or column first), or `sym` itself at the edge. Home / End: first / last element.
 */
export function neighbourElement(sym: string, key: string): string {
  const here = POSITION.get(sym);
  if (!here) return sym;
  if (key === "Home") return ELEMENTS[0][0];
  if (key === "End") return ELEMENTS[ELEMENTS.length - 1][0];
  const dir: Record<string, [number, number]> = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
  const d = dir[key];
  if (!d) return sym;
  let best: string | null = null;
  let bestCost = Infinity;
  for (const [s, row, col] of ELEMENTS) {
    const dr = row - here.row;
    const dc = col - here.col;
    const along = d[0] !== 0 ? dr * d[0] : dc * d[1];
    const across = d[0] !== 0 ? Math.abs(dc) : Math.abs(dr);
    if (along <= 0) continue;
    const cost = along + across * 100;
    if (cost < bestCost) {
      bestCost = cost;
      best = s;
    }
  }
  return best ?? sym;
}

export function PeriodicTable({ value, onChange }: Props) {
  const [focus, setFocus] = useState("H");
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const toggle = (sym: string) => {
    const next = { ...value };
    const s = nextState(value[sym]);
    if (s) next[sym] = s;
    else delete next[sym];
    onChange(next);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const target = neighbourElement(focus, e.key);
    if (target === focus && !["Home", "End"].includes(e.key)) return;
    e.preventDefault();
    setFocus(target);
    buttons.current.get(target)?.focus();
  };
  return (
    <div className="ptable-scroll">
      <div
        className="ptable"
        role="group"
        aria-label="Periodic table: click to include, again to exclude; arrow keys move between elements"
        onKeyDown={onKeyDown}
      >
        {ELEMENTS.map(([sym, row, col]) => {
          const s = value[sym];
          return (
            <button
              key={sym}
              ref={(el) => {
                if (el) buttons.current.set(sym, el);
                else buttons.current.delete(sym);
              }}
              type="button"
              className={`el ${s ?? ""}`}
              style={{ gridRow: row >= 8 ? row + 1 : row, gridColumn: col }}
              tabIndex={sym === focus ? 0 : -1}
              aria-pressed={s === "include" ? true : s === "exclude" ? "mixed" : false}
              aria-label={`${sym}${s ? ` (${s}d)` : ""}`}
              title={s ? `${sym}: ${s}d — click to change` : `${sym}: click to include`}
              onFocus={() => setFocus(sym)}
              onClick={() => toggle(sym)}
            >
              {sym}
            </button>
          );
        })}
      </div>
    </div>
  );
}
