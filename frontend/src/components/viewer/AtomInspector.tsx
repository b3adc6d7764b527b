/** Details of the clicked atom: element, coordinates and neighbours with distances (Å). */
import type { Scene, SceneAtom } from "../../client/api";
import { fmt } from "../../client/properties";

interface Props {
  atom: SceneAtom | undefined;
  scene: Scene | undefined;
  onSelect: (atom: number | null) => void;
}

const xyz = (v: number[]) => v.map((x) => x.toFixed(3)).join(", ");

export function AtomInspector({ atom, onSelect }: Props) {
  if (!atom) {
    return <p className="muted small atom-hint">Click an atom to see its neighbours.</p>;
  }
  return (
    <div className="atom-inspector" aria-live="polite" data-testid="atom-inspector">
      <h3>
        {atom.label} <span className="muted">(site {atom.site_index + 1})</span>
      </h3>
      <dl className="kv small">
        <dt>Cartesian (Å)</dt>
        <dd>{xyz(atom.position)}</dd>
        <dt>Fractional</dt>
        <dd>{xyz(atom.fractional)}</dd>
        {atom.occupancy < 1 && (
          <>
            <dt>Occupancy</dt>
            <dd>{fmt(atom.occupancy)}</dd>
          </>
        )}
      </dl>
      <table className="small">
        <caption>{atom.neighbours.length} neighbours</caption>
        <thead>
          <tr>
            <th scope="col">Element</th>
            <th scope="col">Distance (Å)</th>
          </tr>
        </thead>
        <tbody>
          {atom.neighbours.map((n, i) => (
            <tr key={i}>
              <td>
                {n.atom !== null ? (
                  <button type="button" className="link" onClick={() => onSelect(n.atom)}>
                    {n.element}
                  </button>
                ) : (
                  n.element
                )}
              </td>
              <td>{n.distance.toFixed(3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="small" onClick={() => onSelect(null)}>
        Clear selection
      </button>
    </div>
  );
}
