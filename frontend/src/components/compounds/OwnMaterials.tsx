/**
 * The caller's materials of a compound's formula with their latest predictions (value ±σ,
 * unit in the column header), under a first row with the compound's headline reference values; a "Predict"
 * action for the formula when the caller has none.
 */
import { useMutation } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { api, unwrap, type CompoundDetail, type KnownMatch, type Prediction } from "../../client/api";
import { ALL_PROPERTIES, PROPERTY_UNITS, fmt, propertyLabel } from "../../client/properties";
import { ErrorBox } from "../common/Status";
import { PropertyCards } from "../predictions/PropertyCard";
import { KnownMatchNote } from "./KnownMatchNote";

function PredictionCell({ p }: { p: Prediction | undefined }) {
  if (!p) return <span className="muted">—</span>;
  return (
    <span data-testid="own-prediction" data-property={p.property}>
      {fmt(p.value)}
      {p.std != null && <span className="muted"> ± {fmt(p.std)}</span>}
    </span>
  );
}

function PredictFormula({ formula }: { formula: string }) {
  const predict = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/predictions", { body: { formula, relax: false } })),
  });
  return (
    <>
      <p className="muted">
        You have no materials of this formula.{" "}
        <button
          type="button"
          className="primary"
          onClick={() => predict.mutate()}
          disabled={predict.isPending}
          data-testid="predict-formula"
        >
          {predict.isPending ? "Predicting…" : `Predict ${formula}`}
        </button>
      </p>
      {predict.isError && <ErrorBox error={predict.error} title="Prediction failed" />}
      {predict.data && (
        <>
          <p className="muted small">Predicted from the composition (not stored):</p>
          <PropertyCards predictions={predict.data.predictions} />
        </>
      )}
    </>
  );
}

export function OwnMaterials({ compound }: { compound: CompoundDetail }) {
  const own = compound.own_materials;
  const props = ALL_PROPERTIES;
  return (
    <section className="panel" aria-labelledby="own-title" data-testid="own-materials">
      <h2 id="own-title">
        Your materials of this formula{compound.own_materials_total > 0 && ` (${compound.own_materials_total})`}
      </h2>
      {own.length === 0 ? (
        <PredictFormula formula={compound.reduced_formula} />
      ) : (
        <div className="table-wrap">
          <table className="data own-materials">
            <thead>
              <tr>
                <th scope="col">Material</th>
                <th scope="col">Known match</th>
                {props.map((p) => (
                  <th key={p} scope="col" className="num">
                    {propertyLabel(p)} <span className="unit">({PROPERTY_UNITS[p]})</span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr className="reference-row">
                <th scope="row">Reference (headline)</th>
                <td />
                {props.map((p) => (
                  <td key={p} className="num">
                    {fmt(compound.properties[p])}
                  </td>
                ))}
              </tr>
              {own.map((m) => {
                const byProp = new Map(m.predictions.map((p) => [p.property, p]));
                return (
                  <tr key={m.id}>
                    <td>
                      <Link to={`/materials/${m.id}`}>
                        #{m.id} {m.formula}
                      </Link>
                      <div className="muted small">
                        {m.source}
                        {m.filename && ` · ${m.filename}`}
                        {m.space_group_symbol && ` · ${m.space_group_symbol}`}
                      </div>
                    </td>
                    <td className="small wrap">
                      <KnownMatchNote
                        match={m.known_match as KnownMatch | null}
                        formula={compound.reduced_formula}
                      />
                    </td>
                    {props.map((p) => (
                      <td key={p} className="num">
                        <PredictionCell p={byProp.get(p)} />
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
          {compound.own_materials_total > own.length && (
            <p className="muted small">
              Showing {own.length} of {compound.own_materials_total};{" "}
              <Link to={`/materials?view=materials&q=${encodeURIComponent(compound.reduced_formula)}`}>
                list them all
              </Link>
              .
            </p>
          )}
        </div>
      )}
    </section>
  );
}
