/**
 * One molecule: its depiction with the alert atoms highlighted and the alert families
 * named, the O[Q/P/L]A score with components and weights, descriptors, efficiency indices,
 * the SEI–BEI efficiency plane among the organisation's molecules, activities, nearest
 * neighbours, and SDF / PDF downloads.
 */
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router-dom";
import { DownloadLink } from "../components/common/DownloadLink";
import { ErrorBox, Loading } from "../components/common/Status";
import { TableScroll } from "../components/common/TableScroll";
import { Depiction } from "../components/molecules/Depiction";
import { EfficiencyPlane } from "../components/molecules/EfficiencyPlane";
import {
  getMolecule,
  getNeighbours,
  listForPlane,
  moleculeKeys,
  reportUrl,
  sdfUrl,
  type Molecule,
} from "../components/molecules/moleculeApi";
import { classBadge, familyLabel, groupAlerts } from "../components/molecules/moleculeFormat";
import { ScoreBreakdown } from "../components/molecules/ScoreBreakdown";
import { fixed, formatNumber } from "../format/number";
import { NotFoundPage } from "./NotFoundPage";
import "../components/molecules/molecules.css";

const DESCRIPTORS: Array<[string, string, (x: number) => string]> = [
  ["mw", "MW (Da)", (x) => fixed(x, 1)],
  ["clogp", "cLogP", (x) => fixed(x, 2)],
  ["tpsa", "TPSA (Å²)", (x) => fixed(x, 1)],
  ["hbd", "H-bond donors", String],
  ["hba", "H-bond acceptors", String],
  ["rotatable_bonds", "Rotatable bonds", String],
  ["heavy_atoms", "Heavy atoms", String],
  ["n_o_count", "N + O atoms", String],
  ["qed", "QED", (x) => fixed(x, 2)],
];

/** Index, name, definition, decimals shown. */
const INDICES: Array<[string, string, string, number]> = [
  ["p_activity", "pActivity", "−log10(molar activity)", 2],
  ["le", "LE", "kcal/mol per heavy atom (1.37 · pActivity / HA)", 2],
  ["lle", "LLE (LipE)", "pActivity − cLogP", 2],
  ["bei", "BEI", "pActivity per kDa of MW", 1],
  ["sei", "SEI", "pActivity per 100 Å² of TPSA", 1],
  ["nbei", "NBEI", "pActivity per heavy atom", 2],
  ["nsei", "NSEI", "pActivity per N + O atom", 2],
  ["n_bei", "nBEI", "pActivity + log10(heavy atoms)", 2],
];

const maybeFixed = (x: number | null | undefined, decimals: number) =>
  x === null || x === undefined || !Number.isFinite(x) ? "—" : fixed(x, decimals);

function Alerts({ m }: { m: Molecule }) {
  const groups = groupAlerts(m.alerts);
  if (groups.length === 0) return <p className="small ok-note">No PAINS, Brenk or NIH alerts.</p>;
  return (
    <ul className="alert-groups" data-testid="alert-groups">
      {groups.map((g) => (
        <li key={g.kind} className={`alert-group ${g.kind.toLowerCase()}`} data-kind={g.kind} data-atoms={g.atoms.join(",")}>
          <span className="swatch" aria-hidden="true" />
          <strong>{g.kind}</strong>{" "}
          {g.families.map((f) => (
            <span key={f} className="family" data-testid="alert-family">
              {familyLabel(f)}
            </span>
          ))}
          <span className="muted small">
            {" "}
            · {g.atoms.length} atom{g.atoms.length === 1 ? "" : "s"}
            {g.kind === "PAINS" ? " (red)" : groups.some((o) => o.kind === "PAINS") ? " (amber; red where also PAINS)" : " (amber)"}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function MoleculePage() {
  const id = Number(useParams().id);
  const valid = Number.isInteger(id) && id > 0;
  const mol = useQuery({ queryKey: moleculeKeys.one(id), queryFn: () => getMolecule(id), enabled: valid });
  const neighbours = useQuery({ queryKey: moleculeKeys.neighbours(id), queryFn: () => getNeighbours(id), enabled: valid });
  const plane = useQuery({ queryKey: moleculeKeys.plane, queryFn: listForPlane, staleTime: 60_000 });

  if (!valid || (mol.isError && (mol.error as { status?: number }).status === 404)) return <NotFoundPage />;
  if (mol.isPending) return <Loading />;
  if (mol.isError) return <ErrorBox error={mol.error} />;
  const m = mol.data;
  const label = m.name ?? m.inchikey;
  const primary = m.activities.find((a) => a.id === m.primary_activity_id);
  return (
    <div className="page molecule-page">
      <p className="small">
        <Link to="/molecules">Molecules</Link> /
      </p>
      <div className="panel-head">
        <h1 className="molecule-title">
          {label}{" "}
          <span className={classBadge(m.classification)} data-testid="molecule-class">
            {m.classification}
            {m.score_total !== null ? ` · ${fixed(m.score_total, 1)}` : ""}
          </span>
        </h1>
        <div className="button-row" role="group" aria-label="Download this molecule">
          <DownloadLink url={sdfUrl(m.id)} filename={`molecule-${m.id}.sdf`} data-testid="download-sdf">
            Download SDF
          </DownloadLink>
          <DownloadLink url={reportUrl(m.id)} filename={`molecule-${m.id}.pdf`} data-testid="download-pdf">
            PDF report
          </DownloadLink>
        </div>
      </div>
      <p className="smiles-line small">
        <code>{m.smiles}</code> · {m.inchikey}
        {m.changes.length > 0 && <span className="muted"> · standardised: {m.changes.join(", ")}</span>}
      </p>

      <div className="molecule-grid">
        <section className="panel" aria-labelledby="structure-title">
          <h2 id="structure-title">Structure and alerts</h2>
          <Depiction id={m.id} alt={`Structure of ${label}${m.alerts.length ? ", alert atoms highlighted" : ""}`} testId="depiction" />
          <Alerts m={m} />
          {m.alerts.length > 0 && (
            <details className="small">
              <summary>Alert details ({m.alerts.length})</summary>
              <ul className="alert-details">
                {m.alerts.map((a) => (
                  <li key={`${a.catalog}-${a.name}`}>
                    <strong>{a.catalog}</strong> {a.name}: {a.description} (atoms {a.atoms.join(", ")})
                  </li>
                ))}
              </ul>
            </details>
          )}
        </section>

        <section className="panel" aria-labelledby="score-title">
          <h2 id="score-title">O[Q/P/L]A score</h2>
          <ScoreBreakdown score={m.score} />
        </section>
      </div>

      <div className="molecule-grid">
        <section className="panel" aria-labelledby="descriptors-title">
          <h2 id="descriptors-title">Descriptors</h2>
          <dl className="kv" data-testid="descriptors">
            {DESCRIPTORS.filter(([k]) => m.descriptors[k] !== undefined).map(([k, name, f]) => (
              <div className="kv-row" key={k}>
                <dt>{name}</dt>
                <dd>{f(Number(m.descriptors[k]))}</dd>
              </div>
            ))}
          </dl>
        </section>
        <section className="panel" aria-labelledby="indices-title">
          <h2 id="indices-title">Efficiency indices</h2>
          {primary ? (
            <p className="small muted">
              From the primary activity: {primary.standard_type ?? "activity"} {primary.relation} {formatNumber(primary.value)} {primary.unit}
              {primary.target ? ` (${primary.target})` : ""}
            </p>
          ) : (
            <p className="small muted">No activity: add one to get pActivity, the indices and a score.</p>
          )}
          <dl className="kv" data-testid="indices">
            {INDICES.map(([k, name, what, decimals]) => (
              <div className="kv-row" key={k}>
                <dt title={what}>{name}</dt>
                <dd>
                  {maybeFixed(m.indices[k], decimals)} <span className="muted small">{what}</span>
                </dd>
              </div>
            ))}
          </dl>
        </section>
      </div>

      <section className="panel" aria-labelledby="plane-title">
        <h2 id="plane-title">Efficiency plane (SEI–BEI)</h2>
        {plane.isPending && <Loading />}
        {plane.isError && <ErrorBox error={plane.error} />}
        {plane.data && <EfficiencyPlane molecule={m} others={plane.data.items} total={plane.data.total} label={label} />}
      </section>

      <section className="panel" aria-labelledby="activities-title">
        <h2 id="activities-title">Activities ({m.activities.length})</h2>
        {m.activities.length === 0 ? (
          <p className="muted small">No activities.</p>
        ) : (
          <TableScroll label="Activities">
            <table className="data small" data-testid="activities">
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">Target</th>
                  <th scope="col" className="num">
                    Value
                  </th>
                  <th scope="col" className="num">
                    pActivity
                  </th>
                  <th scope="col">Assay</th>
                  <th scope="col">Source</th>
                </tr>
              </thead>
              <tbody>
                {m.activities.map((a) => (
                  <tr key={a.id} className={a.id === m.primary_activity_id ? "primary" : undefined}>
                    <td>
                      {a.standard_type ?? "—"}
                      {a.id === m.primary_activity_id && <span className="muted"> (primary)</span>}
                    </td>
                    <td>{a.target ?? "—"}</td>
                    <td className="num">
                      {a.relation === "=" ? "" : `${a.relation} `}
                      {formatNumber(a.value)} {a.unit}
                    </td>
                    <td className="num">
                      {a.p_relation === "=" ? "" : `${a.p_relation} `}
                      {fixed(a.p_activity, 2)}
                    </td>
                    <td>{a.assay_id ?? "—"}</td>
                    <td>{a.source}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </section>

      <section className="panel" aria-labelledby="neighbours-title">
        <h2 id="neighbours-title">Nearest neighbours (ECFP4 Tanimoto)</h2>
        {neighbours.isPending && <Loading />}
        {neighbours.isError && <ErrorBox error={neighbours.error} />}
        {neighbours.data && (
          <div className="molecule-grid">
            <div>
              <h3>Your molecules</h3>
              {neighbours.data.molecules.length === 0 ? (
                <p className="muted small">None with similarity ≥ 0.3.</p>
              ) : (
                <ul className="neighbour-list" data-testid="own-neighbours">
                  {neighbours.data.molecules.map((h) => (
                    <li key={h.molecule.id}>
                      <Link to={`/molecules/${h.molecule.id}`}>{h.molecule.name ?? h.molecule.inchikey}</Link>{" "}
                      <span className="muted small">
                        {h.similarity === null ? "" : fixed(h.similarity, 2)} · {h.molecule.classification}
                        {h.molecule.score_total !== null ? ` ${fixed(h.molecule.score_total, 1)}` : ""}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </div>
            <div>
              <h3>Seed compounds (ChEMBL, MoleculeACE)</h3>
              {neighbours.data.seed.length === 0 ? (
                <p className="muted small">None with similarity ≥ 0.3.</p>
              ) : (
                <ul className="neighbour-list" data-testid="seed-neighbours">
                  {neighbours.data.seed.map((s) => (
                    <li key={s.smiles}>
                      <code className="smiles">{s.smiles}</code>{" "}
                      <span className="muted small">
                        {s.similarity === null ? "" : fixed(s.similarity, 2)}
                        {s.activities.slice(0, 3).map((a) => ` · ${a.target} p${a.activity_type} ${fixed(a.p_activity, 2)}`)}
                        {s.activities.length > 3 ? ` · +${s.activities.length - 3} more` : ""}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          </div>
        )}
      </section>
    </div>
  );
}

export default MoleculePage;
