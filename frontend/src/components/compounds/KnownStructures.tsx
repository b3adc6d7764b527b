/**
 * The known crystal structures of a compound: a list with citable ids and symmetry; the
 * selected one is drawn in the 3D viewer with CIF/POSCAR downloads.
 */
import { useState } from "react";
import { Link } from "react-router-dom";
import { structureUrl, type KnownStructure } from "../../client/api";
import { fmt } from "../../client/properties";
import { databaseName } from "../../client/sources";
import { DownloadLink } from "../common/DownloadLink";
import { ViewerPanel } from "../viewer/ViewerPanel";
import { SourceLink } from "./SourceLinks";

/** A numeric property of a known structure (a number, or an object with a `value`). */
export function structureProperty(s: KnownStructure, p: string): number | null {
  const v = (s.properties as Record<string, unknown>)[p];
  if (typeof v === "number") return v;
  if (v && typeof v === "object" && typeof (v as { value?: unknown }).value === "number") {
    return (v as { value: number }).value;
  }
  return null;
}

export function KnownStructures({ structures, formula }: { structures: KnownStructure[]; formula: string }) {
  const [selectedId, setSelectedId] = useState(structures[0]?.material_id);
  const selected = structures.find((s) => s.material_id === selectedId) ?? structures[0];
  if (!selected) {
    return (
      <section className="panel" aria-labelledby="structures-title">
        <h2 id="structures-title">Structures</h2>
        <p className="muted" data-testid="no-structures">
          No known crystal structure of {formula} ships with MatDiscover; its reference values
          come from composition-only entries.
        </p>
      </section>
    );
  }
  const name = `${formula}_${selected.source_id.replace(/[^A-Za-z0-9_.-]+/g, "_")}`;
  return (
    <>
      <div className="material-grid">
        <ViewerPanel key={selected.material_id} materialId={selected.material_id} formula={formula} />
        <section className="panel" aria-labelledby="structures-title">
          <h2 id="structures-title">Structures ({structures.length})</h2>
          <div className="table-wrap">
            <table className="data known-structures" data-testid="known-structures">
              <thead>
                <tr>
                  <th scope="col">Show</th>
                  <th scope="col">Source id</th>
                  <th scope="col">Space group</th>
                  <th scope="col">Crystal system</th>
                  <th scope="col" className="num">
                    Sites
                  </th>
                  <th scope="col" className="num">
                    E<sub>hull</sub> (eV/atom)
                  </th>
                </tr>
              </thead>
              <tbody>
                {structures.map((s) => (
                  <tr key={s.material_id} aria-selected={s.material_id === selected.material_id}>
                    <td>
                      <input
                        type="radio"
                        name="known-structure"
                        aria-label={`Show ${s.label}`}
                        checked={s.material_id === selected.material_id}
                        onChange={() => setSelectedId(s.material_id)}
                      />
                    </td>
                    <td>
                      <SourceLink id={s.label} url={s.url} />
                      <div className="muted small">{databaseName(s.source_database)}</div>
                    </td>
                    <td>
                      {s.space_group_symbol ?? "—"}
                      {s.space_group_number && <span className="muted"> ({s.space_group_number})</span>}
                    </td>
                    <td>{s.crystal_system ?? "—"}</td>
                    <td className="num">{s.nsites ?? "—"}</td>
                    <td className="num">{fmt(structureProperty(s, "energy_above_hull"))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h3>
            Download {selected.label}
          </h3>
          <div className="button-row">
            <DownloadLink url={structureUrl(selected.material_id, "cif")} filename={`${name}.cif`}
              data-testid="download-cif">
              CIF
            </DownloadLink>
            <DownloadLink url={structureUrl(selected.material_id, "poscar")} filename={`${name}.vasp`}
              data-testid="download-poscar">
              POSCAR
            </DownloadLink>
            <Link className="button" to={`/materials/${selected.material_id}`}>
              Entry page
            </Link>
          </div>
        </section>
      </div>
    </>
  );
}
