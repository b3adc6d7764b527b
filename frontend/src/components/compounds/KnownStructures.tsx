/**
 * The known crystal structures of a compound: a list with citable ids and symmetry; the
 * selected one is drawn in the 3D viewer with CIF/POSCAR downloads.
 */
import { useState } from "react";
import { Link } from "react-router-dom";
import { structureUrl, type KnownStructure } from "../../client/api";
import { ALL_PROPERTIES, PROPERTY_UNITS, fmt, propertyLabel } from "../../client/properties";
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

/** Short names for the structure list (symbols people know from papers). */
const SHORT: Record<string, string> = {
  formation_energy: "E_form",
  energy_above_hull: "E_hull",
  bulk_modulus: "K",
  shear_modulus: "G",
  band_gap: "Gap",
};

/** Computed entries (MP, then the Delta-test crystals) before labelled prototypes, lowest
 * energy above hull first; otherwise the server's order. */
export function orderStructures(structures: KnownStructure[]): KnownStructure[] {
  const rank = (s: KnownStructure) => SOURCE_RANK[s.source_database] ?? 3;
  const hull = (s: KnownStructure) => structureProperty(s, "energy_above_hull") ?? Infinity;
  return structures
    .map((s, i) => ({ s, i }))
    .sort((a, b) => rank(a.s) - rank(b.s) || hull(a.s) - hull(b.s) || a.i - b.i)
    .map(({ s }) => s);
}
const SOURCE_RANK: Record<string, number> = { materials_project: 0, ase_dcdft: 1, aflow_prototypes: 2 };

export function KnownStructures({ structures: given, formula }: { structures: KnownStructure[]; formula: string }) {
  const structures = orderStructures(given);
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
          <ul className="structure-list" data-testid="known-structures">
            {structures.map((s) => {
              const on = s.material_id === selected.material_id;
              const values = ALL_PROPERTIES.map((p) => [p, structureProperty(s, p)] as const).filter(
                ([, v]) => v !== null,
              );
              return (
                <li key={s.material_id} className={on ? "selected" : undefined} data-selected={on}>
                  <input
                    type="radio"
                    name="known-structure"
                    id={`structure-${s.material_id}`}
                    aria-label={`Show ${s.label}`}
                    checked={on}
                    onChange={() => setSelectedId(s.material_id)}
                  />
                  <div>
                    <SourceLink id={s.label} url={s.url} />{" "}
                    <span className="muted small">{databaseName(s.source_database)}</span>
                    <label htmlFor={`structure-${s.material_id}`} className="structure-facts small">
                      {s.space_group_symbol ?? "—"}
                      {s.space_group_number && ` (${s.space_group_number})`}
                      {s.crystal_system && ` · ${s.crystal_system}`}
                      {s.nsites && ` · ${s.nsites} sites`}
                    </label>
                    {values.length > 0 && (
                      <span className="muted small structure-values">
                        {values
                          .map(([p, v]) => `${SHORT[p] ?? propertyLabel(p)} ${fmt(v)} ${PROPERTY_UNITS[p]}`)
                          .join(" · ")}
                      </span>
                    )}
                  </div>
                </li>
              );
            })}
          </ul>
          <h3>Download {selected.label}</h3>
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
