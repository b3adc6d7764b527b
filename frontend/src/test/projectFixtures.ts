/** Projects API answers for component tests (shapes of the generated client). */
import type { Parity, Project, ProjectItem, Recalibration } from "../components/projects/projectApi";

export const project = (over: Partial<Project> = {}): Project => ({
  id: 7,
  name: "Wide-gap oxides",
  description: "Band gaps",
  created_at: "2026-03-14T10:00:00Z",
  n_items: 2,
  n_measurements: 3,
  ...over,
});

export const item = (over: Partial<ProjectItem> = {}): ProjectItem => ({
  id: 1,
  project_id: 7,
  kind: "material",
  material_id: 42,
  reduced_formula: "TiO2",
  status: "idea",
  tags: [],
  added_by_id: 3,
  created_at: "2026-03-14T10:00:00Z",
  updated_at: "2026-03-14T10:00:00Z",
  predicted: {
    band_gap: { value: 2.6612, std: 0.3812, model_name: "mlp-ens5-mp_gap-2026.11-band_gap", model_version: "1.0.0" },
  },
  measured: {
    band_gap: [{ measurement_id: 11, value: 3.03, uncertainty: 0.05, version: 1, method: "UV-vis", sample_id: null }],
  },
  reference: {},
  notes: [],
  ...over,
});

export const compoundItem = (over: Partial<ProjectItem> = {}): ProjectItem =>
  item({
    id: 2,
    kind: "compound",
    material_id: null,
    reduced_formula: "ZnO",
    predicted: {
      band_gap: {
        value: 1.9,
        std: 0.5,
        model_name: "mlp-ens5-mp_gap-2026.11-band_gap",
        model_version: "1.0.0",
        recalibrated: {
          value: 3.1,
          std: 0.42,
          recalibration_id: 5,
          version: 1,
          n_measurements: 25,
          label: "recalibrated on 25 measurements",
        },
      },
    },
    measured: {},
    reference: { band_gap: 0.73 },
    ...over,
  });

const metrics = { n: 3, mae: 0.4213, rmse: 0.5, bias: -0.31, coverage95: 0.6667, spearman: 1 };

export const parity = (over: Partial<Parity> = {}): Parity => ({
  property: "band_gap",
  unit: "eV",
  points: [
    { item_id: 1, measurement_id: 11, formula: "TiO2", predicted: 2.66, sigma: 0.38, model_name: "m", model_version: "1", measured: 3.03, uncertainty: 0.05, family: "oxides" },
    { item_id: 2, measurement_id: 12, formula: "MgO", predicted: 6.1, sigma: 0.5, model_name: "m", model_version: "1", measured: 7.8, uncertainty: 0.2, family: "oxides" },
    { item_id: 3, measurement_id: 13, formula: "GaAs", predicted: 1.2, sigma: 0.3, model_name: "m", model_version: "1", measured: 1.42, uncertainty: 0.01, family: "pnictides" },
  ],
  metrics,
  per_model: [{ model_name: "mlp-ens5-mp_gap-2026.11-band_gap", model_version: "1.0.0", metrics }],
  by_chemistry: [
    { family: "oxides", n: 2, mean_residual: -1.035, mae: 1.035, residuals: [-0.37, -1.7] },
    { family: "pnictides", n: 1, mean_residual: -0.22, mae: 0.22, residuals: [-0.22] },
  ],
  skipped: 0,
  ...over,
});

export const recalibration = (over: Partial<Recalibration> = {}): Recalibration => ({
  id: 5,
  project_id: 7,
  property: "band_gap",
  model_name: "mlp-ens5-mp_gap-2026.11-band_gap",
  kind: "linear",
  n_measurements: 25,
  enabled: false,
  version: 1,
  created_at: "2026-03-14T10:00:00Z",
  created_by_id: 3,
  cv_mae_raw: 0.61,
  cv_mae: 0.32,
  cv_coverage95: 0.94,
  label: "recalibrated on 25 measurements",
  ...over,
});
