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

export function PeriodicTable({ value, onChange }: Props) {
  const toggle = (sym: string) => {
    const next = { ...value };
    const s = nextState(value[sym]);
    if (s) next[sym] = s;
    else delete next[sym];
    onChange(next);
  };
  return (
    <div className="ptable" role="group" aria-label="Periodic table: click to include, again to exclude">
      {ELEMENTS.map(([sym, row, col]) => {
        const s = value[sym];
        return (
          <button
            key={sym}
            type="button"
            className={`el ${s ?? ""}`}
            style={{ gridRow: row >= 8 ? row + 1 : row, gridColumn: col }}
            aria-pressed={s === "include" ? true : s === "exclude" ? "mixed" : false}
            aria-label={`${sym}${s ? ` (${s}d)` : ""}`}
            title={s ? `${sym}: ${s}d — click to change` : `${sym}: click to include`}
            onClick={() => toggle(sym)}
          >
            {sym}
          </button>
        );
      })}
    </div>
  );
}
