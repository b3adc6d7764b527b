/** A chemical formula with its counts as subscripts: LiFePO4 → LiFePO<sub>4</sub>. */

/** Split a formula into text and subscript runs ("Fe2O3" → Fe,2,O,3; "Ba0.5" → Ba,0.5). */
export function formulaParts(formula: string): Array<{ text: string; sub: boolean }> {
  const parts: Array<{ text: string; sub: boolean }> = [];
  for (const m of formula.matchAll(/(\d+(?:\.\d+)?)|([^\d]+)/g)) {
    // a number right after a letter or closing bracket is a count
    parts.push(m[1] !== undefined ? { text: m[1], sub: true } : { text: m[2], sub: false });
  }
  return parts;
}

export function Formula({ formula, className }: { formula: string; className?: string }) {
  return (
    <span className={className}>
      {formulaParts(formula).map((p, i) => (p.sub ? <sub key={i}>{p.text}</sub> : <span key={i}>{p.text}</span>))}
    </span>
  );
}
