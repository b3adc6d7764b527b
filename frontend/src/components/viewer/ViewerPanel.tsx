/** The material page's 3D panel: display controls, the viewer, legend and atom inspector. */
import { useQuery } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { fetchScene, type Scene } from "../../client/api";
import { ErrorBox, Loading } from "../common/Status";
import { AtomInspector } from "./AtomInspector";
import { CrystalViewer, type ViewerHandle } from "./CrystalViewer";
import { VIEW_MODES, type ViewMode } from "./sceneModel";

type Bonding = "crystalnn" | "cutoff";

export function useScene(materialId: number, supercell: number[], bonding: Bonding) {
  const text = supercell.join(",");
  return useQuery({
    queryKey: ["scene", materialId, text, bonding],
    queryFn: () => fetchScene(materialId, text, bonding),
    staleTime: Infinity,
    placeholderData: (prev) => prev,
  });
}

export function Legend({ scene }: { scene: Scene }) {
  return (
    <ul className="legend" aria-label="Element colours">
      {scene.legend.map((e) => (
        <li key={e.element}>
          <span className="swatch" style={{ background: e.colour }} aria-hidden="true" />
          {e.element}
        </li>
      ))}
    </ul>
  );
}

export function ViewerPanel({ materialId, formula }: { materialId: number; formula: string }) {
  const [mode, setMode] = useState<ViewMode>("ball-and-stick");
  const [supercell, setSupercell] = useState([1, 1, 1]);
  const [bonding, setBonding] = useState<Bonding>("crystalnn");
  const [selected, setSelected] = useState<number | null>(null);
  const viewer = useRef<ViewerHandle>(null);
  const scene = useScene(materialId, supercell, bonding);
  const forcedCutoff = bonding === "crystalnn" && scene.data?.bonding === "cutoff";

  const exportPng = () => {
    const url = viewer.current?.toPNG();
    if (!url) return;
    const a = document.createElement("a");
    a.href = url;
    a.download = `${formula}_${materialId}_${mode}.png`;
    a.click();
  };

  const data = scene.data;
  const atom = data && selected !== null ? data.atoms[selected] : undefined;

  return (
    <section className="panel viewer-panel" aria-labelledby="viewer-title">
      <h2 id="viewer-title">Structure</h2>
      <div className="viewer-toolbar">
        <fieldset className="segmented">
          <legend className="sr-only">Display mode</legend>
          {VIEW_MODES.map((m) => (
            <label key={m.value} className={mode === m.value ? "active" : ""}>
              <input
                type="radio"
                name="view-mode"
                value={m.value}
                checked={mode === m.value}
                onChange={() => setMode(m.value)}
              />
              {m.label}
            </label>
          ))}
        </fieldset>
        <fieldset className="supercell">
          <legend>Supercell</legend>
          {["a", "b", "c"].map((axis, i) => (
            <label key={axis}>
              <span className="sr-only">Repeats along {axis}</span>
              <span aria-hidden="true">{axis}</span>
              <select
                value={supercell[i]}
                onChange={(e) => {
                  const next = [...supercell];
                  next[i] = Number(e.target.value);
                  setSelected(null);
                  setSupercell(next);
                }}
              >
                {[1, 2, 3].map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </label>
          ))}
        </fieldset>
        <label className="inline">
          Bonds
          <select
            // the bonds actually drawn: the server uses cutoff bonds for large cells
            value={forcedCutoff ? "cutoff" : bonding}
            onChange={(e) => {
              setSelected(null);
              setBonding(e.target.value as Bonding);
            }}
          >
            <option value="crystalnn" disabled={forcedCutoff}>
              {forcedCutoff ? "CrystalNN (not for this many sites)" : "CrystalNN"}
            </option>
            <option value="cutoff">Distance cutoff</option>
          </select>
        </label>
        <button type="button" onClick={() => viewer.current?.resetView()}>
          Reset view
        </button>
        <button type="button" onClick={exportPng} disabled={!data}>
          Export PNG
        </button>
      </div>
      <div className="viewer-body">
        <div className="viewer-stage" data-mode={mode}>
          {scene.isPending && <Loading label="Computing bonds and polyhedra…" />}
          {scene.isError && <ErrorBox error={scene.error} />}
          {data && (
            <CrystalViewer
              ref={viewer}
              scene={data}
              mode={mode}
              selected={selected}
              onSelect={setSelected}
              label={`3D structure of ${formula}, ${mode.replace(/-/g, " ")} view. Drag or use arrow keys to rotate, +/- to zoom.`}
            />
          )}
          {scene.isFetching && data && <div className="viewer-busy">Updating…</div>}
        </div>
        <aside className="viewer-side">
          {data && <Legend scene={data} />}
          {data && (
            <p className="muted small">
              {data.atoms.length} atoms drawn · bonds: {data.bonding === "crystalnn" ? "CrystalNN" : "cutoff"}
              {data.polyhedra.length > 0 && ` · ${data.polyhedra.length} polyhedra`}
            </p>
          )}
          {data?.warnings.map((w) => (
            <p key={w} className="warning small">
              {w}
            </p>
          ))}
          {mode === "polyhedra" && data && data.polyhedra.length === 0 && (
            <p className="muted small">No coordination polyhedra in this structure.</p>
          )}
          <AtomInspector atom={atom} scene={data} onSelect={setSelected} />
        </aside>
      </div>
    </section>
  );
}
