/** Front page: the first action is obvious — drop a structure, or type a formula. */
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { api, unwrap } from "../client/api";
import { ErrorBox } from "../components/common/Status";
import { KnownCompoundSummary } from "../components/compounds/KnownCompoundSummary";
import { Dropzone, type FileState } from "../components/materials/Dropzone";
import { PropertyCards } from "../components/predictions/PropertyCard";

export function HomePage() {
  const navigate = useNavigate();
  const [formula, setFormula] = useState("");
  const predict = useMutation({
    mutationFn: (f: string) => unwrap(api.POST("/api/v1/predictions", { body: { formula: f, relax: false } })),
  });

  const onUploaded = (files: FileState[]) => {
    const created = files.flatMap((f) => f.created);
    // one structure: go straight to its page, where the predictions appear
    if (created.length === 1 && files.every((f) => f.errors.length === 0)) {
      navigate(`/materials/${created[0].id}`);
    }
  };

  return (
    <div className="page home">
      <section className="hero">
        <h1>Predict the properties of your crystal</h1>
        <p className="lead">
          Drop a CIF or POSCAR file to see it in 3D with predicted band gap, formation energy,
          stability, moduli and Debye temperature — each with its uncertainty.
        </p>
        <Dropzone label="Drop a structure file here (CIF, POSCAR…)" onDone={onUploaded} />
      </section>

      <section className="panel">
        <h2>…or predict from a formula</h2>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (formula.trim()) predict.mutate(formula.trim());
          }}
        >
          <label htmlFor="formula-input">Chemical formula</label>
          <input
            id="formula-input"
            value={formula}
            onChange={(e) => setFormula(e.target.value)}
            placeholder="e.g. GaN, LiFePO4, Ba0.5Sr0.5TiO3"
            autoComplete="off"
          />
          <button type="submit" className="primary" disabled={predict.isPending || !formula.trim()}>
            {predict.isPending ? "Predicting…" : "Predict"}
          </button>
        </form>
        {predict.isError && <ErrorBox error={predict.error} />}
        {predict.data && (
          <div className="formula-result">
            <h3>{predict.data.formula}</h3>
            <p className="muted small">
              From the composition only (no structure). Upload a structure for structure-based
              estimates.
            </p>
            {(predict.data.warnings ?? []).map((w) => (
              <p key={w} className="warning small">
                {w}
              </p>
            ))}
            <KnownCompoundSummary formula={predict.data.formula} />
            <h4 className="predictions-title">Predicted from the composition</h4>
            <PropertyCards predictions={predict.data.predictions} />
          </div>
        )}
      </section>

      <section className="tiles">
        <Link to="/materials" className="tile">
          <strong>Explore materials</strong>
          <span>Search by formula, chemical system or elements.</span>
        </Link>
        <Link to="/upload" className="tile">
          <strong>Upload many structures</strong>
          <span>Drop many files or a zip; each becomes a material.</span>
        </Link>
        <Link to="/jobs" className="tile">
          <strong>Screen a list</strong>
          <span>Submit a CSV of formulas as a batch job and download the results.</span>
        </Link>
        <Link to="/models" className="tile">
          <strong>Models</strong>
          <span>How each property is predicted, and how accurate it is.</span>
        </Link>
      </section>
    </div>
  );
}
