"""Train, calibrate, evaluate and save one composition-model artifact.

Protocol (recorded on every card): rows are grouped by reduced formula so polymorphs
never straddle splits; a GroupShuffleSplit with ``random_state=seed`` holds out 10 % as
the test split; a second one (``random_state=seed + 1``) carves 10 % of the rest as the
calibration split. Each of the ensemble members is a LightGBM model trained on a
random 85 % of the training groups with its own seeds. The sigma calibration is fitted
on the calibration split and all reported metrics are measured on the test split.

Rebuild the shipped artifacts::

    python -m matdiscover.science.models.composition --out data/models/composition
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import lightgbm as lgb
import numpy as np
import pandas as pd

from matdiscover.science.featurize import featurize_compositions, reduced_formula_key
from matdiscover.science.featurize.composition import element_data
from matdiscover.science.models.composition.calibration import (
    SigmaCalibration,
    coverage,
    fit_metal_sigma,
    fit_sigma_calibration,
)
from matdiscover.science.models.composition.card import ModelCard
from matdiscover.science.models.composition.data import (
    CAL_FRACTION,
    TEST_FRACTION,
    TrainingData,
    load_training_data,
    make_splits,
)
from matdiscover.science.models.composition.ensemble import (
    ARTIFACT_FILE,
    CompositionModel,
    MetalGate,
)
from matdiscover.science.models.composition.members import (
    LGBMMember,
    Member,
    MLPMember,
    train_mlp,
)
from matdiscover.science.models.composition.specs import PROPERTIES
from matdiscover.science.properties import PropertyName
from matdiscover.science.reference_data import load_table

__all__ = [
    "calibrate_and_write",
    "recalibrate_property",
    "TrainingConfig",
    "TrainingData",
    "load_training_data",
    "make_splits",
    "train_property",
]

log = logging.getLogger(__name__)
MODEL_VERSION = "1.0.0"
RELEASE = "2026.11"
MEMBER_GROUP_FRACTION = 0.85
PARITY_SAMPLE = 2000


@dataclass(frozen=True)
class TrainingConfig:
    n_members: int = 5
    rare_threshold: int = 20
    ood_factor: float = 2.0
    overrides: dict[str, Any] = field(default_factory=dict)
    num_rounds: int | None = None
    mlp_overrides: dict[str, Any] = field(default_factory=dict)
    learner: Literal["lgbm", "mlp"] | None = None  # overrides the spec's learner


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    err = p - y
    ss_tot = float(np.sum((y - y.mean()) ** 2)) or 1.0
    return {
        "mae": float(np.mean(np.abs(err))),
        "rmse": float(np.sqrt(np.mean(err**2))),
        "r2": float(1.0 - np.sum(err**2) / ss_tot),
    }


def _extra_rows(
    tables: tuple[str, ...], transform: str, held_out: set[str], *, root: Path | None
) -> tuple[np.ndarray, np.ndarray]:
    """Features and (transformed) labels of the extra tables, minus held-out formulas."""
    xs, ys = [], []
    for name in tables:
        table = load_table(name, root=root)
        formulas = table["formula"].astype(str).tolist()
        batch = featurize_compositions(formulas, root=root)
        target = table["target"].to_numpy(dtype=np.float64)[batch.rows]
        f_arr = np.asarray(formulas, dtype=object)[batch.rows]
        keep = np.array([reduced_formula_key(f) not in held_out for f in f_arr], dtype=bool)
        if transform == "log10":
            keep &= target > 0
            target = np.log10(np.where(target > 0, target, 1.0))
        xs.append(batch.features[keep])
        ys.append(target[keep])
    return np.vstack(xs), np.concatenate(ys)


def train_property(
    prop: str,
    *,
    out_dir: Path,
    seed: int = 0,
    fast: bool = False,
    config: TrainingConfig | None = None,
    root: Path | None = None,
) -> ModelCard:
    """Train the calibrated ensemble for ``prop`` and write its artifact to ``out_dir/prop``.

    Args:
        prop: property key from :data:`PROPERTIES`.
        out_dir: folder receiving ``<prop>/model.json.xz``, ``card.json``, ``card.md``,
            ``parity.csv``.
        seed: split and member seed (the test split uses ``random_state=seed``).
        fast: tiny run for tests (1,500-row subset, 20 rounds of 15-leaf trees).
        config: ensemble size, domain rule and LightGBM overrides.
        root: optional data directory.

    Returns:
        The :class:`ModelCard` that was written.

    ``energy_above_hull`` (unless ``fast``) is not a trained model: it calibrates and
    evaluates the hull of the predicted formation energy
    (:func:`~matdiscover.science.models.composition.hull_route.fit_hull_route`) with
    the formation-energy model shipped in the data root (``root``): train that first.
    """
    if prop == PropertyName.energy_above_hull and not fast:
        # retired as a separate model: the hull of the predicted formation energy
        from matdiscover.science.models.composition.hull_route import fit_hull_route

        return fit_hull_route(out_dir=out_dir, seed=seed, root=root)
    cfg = config or TrainingConfig()
    spec = PROPERTIES[prop]
    if cfg.learner is not None:
        spec = replace(spec, learner=cfg.learner)
    started = time.perf_counter()
    data = load_training_data(prop, seed=seed, fast=fast, root=root)
    X, y, groups, fractions = data.X, data.y, data.groups, data.fractions
    train, cal, test = make_splits(groups, seed=seed)

    params = {**spec.params, **cfg.overrides}
    rounds = cfg.num_rounds or spec.num_rounds
    if fast:
        params.update(num_leaves=15, learning_rate=0.2, min_data_in_leaf=5)
        rounds = 20
    rng = np.random.default_rng(seed)
    # With a metal classifier in front, the regressor only ever reports non-metal gaps:
    # it is trained on the non-zero rows.
    reg_train = train if spec.metal_classifier is None else train[y[train] > 0]
    train_groups = np.unique(groups[reg_train])
    mlp_opts = {**spec.mlp, **cfg.mlp_overrides}
    if fast:
        mlp_opts.update(hidden=(32, 16), epochs=3)
    kinds = (
        ["mlp"] * cfg.n_members
        if spec.learner == "mlp"
        else ["lgbm"] * cfg.n_members
        if spec.learner == "lgbm"
        else ["mlp"] * cfg.n_members + ["lgbm"] * spec.n_lgbm_members
    )
    extra = None
    if spec.extra_tables and "lgbm" in kinds:
        held_out = set(groups[cal]) | set(groups[test])
        extra = _extra_rows(spec.extra_tables, spec.transform, held_out, root=root)
        log.info("%s: %d extra rows from %s", prop, len(extra[1]), spec.extra_tables)
    members: list[Member] = []
    for m, kind in enumerate(kinds):
        chosen = rng.choice(
            train_groups, size=int(MEMBER_GROUP_FRACTION * len(train_groups)), replace=False
        )
        idx = reg_train[np.isin(groups[reg_train], chosen)]
        member_seed = seed * 1000 + m
        if kind == "mlp":
            members.append(train_mlp(X[idx], y[idx], seed=member_seed, **mlp_opts))
        else:
            mp = {**params, "seed": member_seed}
            xm, ym = X[idx], y[idx]
            if extra is not None:
                xm = np.vstack(
                    [
                        np.column_stack([xm, np.zeros(len(ym))]),
                        np.column_stack([extra[0], np.ones(len(extra[1]))]),
                    ]
                )
                ym = np.concatenate([ym, extra[1]])
            booster = lgb.train(mp, lgb.Dataset(xm, ym), num_boost_round=rounds)
            members.append(LGBMMember(booster))
        log.info("%s member %d/%d (%s) trained", prop, m + 1, len(kinds), kind)
    gate = None
    classifier_params: dict[str, Any] = {}
    if spec.metal_classifier is not None:
        classifier_params = {**spec.metal_classifier, "seed": seed}
        c_rounds = spec.classifier_rounds
        if fast:
            classifier_params.update(num_leaves=15, learning_rate=0.2)
            c_rounds = 20
        booster = lgb.train(
            classifier_params,
            lgb.Dataset(X[train], (y[train] <= 0).astype(np.float64)),
            num_boost_round=c_rounds,
        )
        classifier_params["num_boost_round"] = c_rounds
        gate = MetalGate(booster, 0.5, SigmaCalibration(1.0, 0.0))
        log.info("%s metal classifier trained", prop)

    counts_arr = (fractions[train] > 0).sum(axis=0)
    symbols = element_data(root).symbols
    element_counts = {s: int(c) for s, c in zip(symbols, counts_arr, strict=True) if c > 0}

    name = f"{spec.learner}-ens{cfg.n_members}-{spec.table}-{RELEASE}-{prop}"
    name += "-fast" if fast else ""
    model = CompositionModel(
        spec=spec,
        members=members,
        calibration=SigmaCalibration(1.0, 0.0),
        element_counts=element_counts,
        name=name,
        version=MODEL_VERSION,
        rare_threshold=cfg.rare_threshold,
        ood_factor=cfg.ood_factor,
        data_root=root,
        metal_gate=gate,
    )
    lgbm_hp = {**params, "num_boost_round": rounds}
    hp: dict[str, Any] = (
        {"learner": "mlp", **mlp_opts}
        if spec.learner == "mlp"
        else {"learner": "lgbm", **lgbm_hp}
        if spec.learner == "lgbm"
        else {
            "learner": "hybrid",
            "mlp_members": cfg.n_members,
            "lgbm_members": spec.n_lgbm_members,
            "mlp": mlp_opts,
            "lgbm": lgbm_hp,
        }
    )
    if gate is not None:
        hp["metal_classifier"] = classifier_params
        hp["regressor_rows"] = "non-metals only (value > 0)"
    # JSON-normalised (tuples -> lists) so cards round-trip
    hyperparameters = json.loads(json.dumps(hp))
    return calibrate_and_write(
        model,
        data,
        (train, cal, test),
        out_dir=out_dir,
        seed=seed,
        fast=fast,
        hyperparameters=hyperparameters,
        training_seconds=round(time.perf_counter() - started, 1),
    )


def calibrate_and_write(
    model: CompositionModel,
    data: TrainingData,
    splits: tuple[np.ndarray, np.ndarray, np.ndarray],
    *,
    out_dir: Path,
    seed: int,
    fast: bool,
    hyperparameters: dict[str, Any],
    training_seconds: float,
) -> ModelCard:
    """Fit the sigma calibration on the calibration split, measure the test split, and
    write artifact, parity sample and card to ``out_dir/<property>``."""
    spec = model.spec
    prop = spec.key
    y, f_arr = data.y, data.formulas
    train, cal, test = splits
    x_cal = data.X[cal]
    if model.kind == "hybrid":
        model.lgbm_weight = choose_lgbm_weight(model, x_cal, y[cal])
    gate = model.metal_gate
    if gate is not None:
        model.metal_gate = gate = replace(
            gate, threshold=choose_metal_threshold(gate.p_metal(x_cal), y[cal] <= 0)
        )
    _, raw_cal_sd = model.raw_predict(x_cal)
    model.calibration = SigmaCalibration(1.0, 0.0)
    cal_pred = model.predict(list(f_arr[cal]))
    # Rows where a value is reported with a Gaussian-style sigma: all rows, or the rows
    # the metal classifier calls non-metal (metals are reported as "metal, P(metal)").
    cal_gap = np.ones(len(cal), dtype=bool)
    if gate is not None:
        cal_p = gate.p_metal(x_cal)
        cal_gap = cal_p < gate.threshold
        metal_cal = fit_metal_sigma(y[cal][~cal_gap], cal_p[~cal_gap])
        model.metal_gate = gate = replace(gate, calibration=metal_cal)
    calibration = fit_sigma_calibration(
        y[cal][cal_gap], cal_pred.mean_t[cal_gap], raw_cal_sd[cal_gap]
    )
    model.calibration = calibration
    cal_pred = model.predict(list(f_arr[cal]))

    test_pred = model.predict(list(f_arr[test]))
    yt, mt, st = y[test], test_pred.mean_t, test_pred.std_t
    _, raw_test_sd = model.raw_predict(data.X[test])
    # Metrics in reporting units (value) and in training space.
    y_unit = 10.0**yt if spec.transform == "log10" else yt
    metrics_unit = _metrics(y_unit, test_pred.value)
    metrics_t = _metrics(yt, mt)
    y_train_unit = 10.0 ** y[train] if spec.transform == "log10" else y[train]
    baseline_mae_unit = float(np.mean(np.abs(y_unit - np.mean(y_train_unit))))
    gap = np.ones(len(test), dtype=bool)
    if gate is not None and test_pred.p_metal is not None:
        gap = test_pred.p_metal < gate.threshold
    in95 = (y_unit >= test_pred.low95) & (y_unit <= test_pred.high95)
    cov: dict[str, Any] = {
        "test_coverage_1sigma": coverage(yt[gap], mt[gap], st[gap], 1.0),
        "test_coverage_2sigma": coverage(yt[gap], mt[gap], st[gap], 2.0),
        "test_coverage_95_interval": float(np.mean(in95[gap])),
        "cal_coverage_1sigma": coverage(
            y[cal][cal_gap], cal_pred.mean_t[cal_gap], cal_pred.std_t[cal_gap], 1.0
        ),
        "cal_coverage_2sigma": coverage(
            y[cal][cal_gap], cal_pred.mean_t[cal_gap], cal_pred.std_t[cal_gap], 2.0
        ),
        "uncalibrated_test_coverage_1sigma": coverage(yt[gap], mt[gap], raw_test_sd[gap], 1.0),
        "test_fraction_in_domain": float(np.mean(test_pred.in_domain)),
        "spearman_abs_error_vs_std": float(
            pd.Series(np.abs(yt - mt)[gap]).corr(pd.Series(st[gap]), method="spearman")
        ),
        "interval_vs_sigma": (
            f"the 95 % interval is mean +- {calibration.z95:.2f} sigma (training space), "
            "not +-1.96 sigma: the residuals are heavier-tailed than a Gaussian, so +-2 "
            "sigma covers less than 95 % and the split-conformal z95 is what makes the "
            "interval cover 95 %"
        ),
    }
    if gate is not None and test_pred.p_metal is not None:
        is_metal = yt <= 0
        said_metal = ~gap
        cov.update(
            {
                "coverage_rows": "rows the classifier calls non-metal (a gap is reported); "
                "metal predictions are judged by the classifier metrics",
                "test_fraction_reported_as_gap": float(np.mean(gap)),
                "test_coverage_1sigma_all_rows": coverage(yt, mt, st, 1.0),
                "test_coverage_2sigma_all_rows": coverage(yt, mt, st, 2.0),
                "metal_threshold": gate.threshold,
                "metal_calibration_scale": gate.calibration.scale,
                "metal_calibration_floor": gate.calibration.floor,
                "metal_calibration_power": gate.calibration.power,
                "metal_calibration_z95": gate.calibration.z95,
                "test_metal_accuracy": float(np.mean(said_metal == is_metal)),
                "test_metal_precision": float(np.mean(is_metal[said_metal]))
                if said_metal.any()
                else float("nan"),
                "test_metal_recall": float(np.mean(said_metal[is_metal]))
                if is_metal.any()
                else float("nan"),
                "test_metal_brier": float(np.mean((test_pred.p_metal - is_metal) ** 2)),
            }
        )
    if model.lgbm_weight is not None:
        cov["lgbm_weight"] = model.lgbm_weight

    folder = out_dir / prop
    artifact = model.save(folder)
    rng_p = np.random.default_rng(seed)
    sample = rng_p.choice(len(test), size=min(PARITY_SAMPLE, len(test)), replace=False)
    sample.sort()
    pd.DataFrame(
        {
            "formula": f_arr[test][sample],
            "true": y_unit[sample],
            "pred": test_pred.value[sample],
            "std": test_pred.std[sample],
            "low95": test_pred.low95[sample],
            "high95": test_pred.high95[sample],
        }
    ).to_csv(folder / "parity.csv", index=False, float_format="%.6g")
    card = ModelCard(
        name=model.name,
        version=model.version,
        property=prop,
        unit=spec.unit,
        description=spec.description,
        architecture=_architecture(model),
        training_space=("log10(value)" if spec.transform == "log10" else "value"),
        training_data={
            "table": spec.table,
            "rows_in_table": data.n_table,
            "rows_used": len(y),
            "rows_dropped_unfeaturisable": int(data.n_dropped),
            "subset_for_fast_run": fast,
            "parquet_sha256": _sha256(data.table_path),
            "source": "data/PROVENANCE.md",
        },
        split={
            "method": "GroupShuffleSplit by reduced formula (polymorphs never straddle splits)",
            "test_fraction": TEST_FRACTION,
            "test_random_state": seed,
            "calibration_fraction_of_rest": CAL_FRACTION,
            "calibration_random_state": seed + 1,
            "member_group_subsample": MEMBER_GROUP_FRACTION,
            "n_train": len(train),
            "n_calibration": len(cal),
            "n_test": len(test),
        },
        features=(
            f"{data.X.shape[1]} Magpie-style composition features "
            "(matdiscover.science.featurize: 22 properties x 6 statistics, stoichiometry "
            "norms, valence-orbital fractions, ionic character, 97 atomic fractions)"
        ),
        hyperparameters=hyperparameters,
        metrics_test={
            **{f"{k}_{spec.unit}": v for k, v in metrics_unit.items()},
            **(
                {f"{k}_log10": v for k, v in metrics_t.items()} if spec.transform == "log10" else {}
            ),
            f"baseline_mae_train_mean_{spec.unit}": baseline_mae_unit,
        },
        calibration={
            "method": "sigma = scale * ensemble_std**power + floor (training space), fitted "
            "on the calibration split to Gaussian coverage at 0.5-2.5 sigma; x ood_factor "
            "out of domain; 95% interval = mean +- z95 * sigma with z95 the split-conformal "
            "95th percentile of |residual|/sigma on the calibration split",
            "scale": calibration.scale,
            "floor": calibration.floor,
            "power": calibration.power,
            "z95": calibration.z95,
            **cov,
            "coverage_space": "log10(value)" if spec.transform == "log10" else "value",
        },
        out_of_domain={
            "rule": f"any element present in fewer than {model.rare_threshold} training rows "
            f"(absent included) -> in_domain=False, warning, std x{model.ood_factor:g}",
            "rare_threshold": model.rare_threshold,
            "ood_factor": model.ood_factor,
            "elements_seen": len(model.element_counts),
        },
        command=(
            "python -m matdiscover.science.models.composition "
            f"--property {prop} --seed {seed} --out data/models/composition"
            + (" --fast" if fast else "")
        ),
        training_seconds=training_seconds,
        trained_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        artifact_bytes=sum(p.stat().st_size for p in folder.iterdir() if p.name != "parity.csv")
        if artifact.exists()
        else 0,
        energy_convention=(
            "Materials Project legacy (pre-2020) corrections, as in Matbench mp_e_form"
            if prop == PropertyName.formation_energy
            else None
        ),
    )
    card.write(folder)
    return card


def _architecture(model: CompositionModel) -> str:
    n_members = len(model.members)
    n_lgbm = sum(isinstance(m, LGBMMember) for m in model.members)
    if model.kind == "hybrid":
        text = (
            f"ensemble of {n_members - n_lgbm} MLPs (SiLU) and {n_lgbm} LightGBM regressors "
            "(Huber loss) on group-subsampled training sets; prediction = "
            f"{model.lgbm_weight:g} x LightGBM mean + {1 - (model.lgbm_weight or 0):g} x MLP "
            "mean (weight chosen on the calibration split), uncertainty = member std, "
            "calibrated"
        )
    else:
        text = (
            f"ensemble of {n_members} "
            + ("MLPs (SiLU)" if model.kind == "mlp" else "LightGBM regressors")
            + " on group-subsampled training sets; prediction = member mean, "
            "uncertainty = member std, calibrated"
        )
    if model.metal_gate is not None:
        text = (
            "LightGBM metal/non-metal classifier (label: value == 0) in front of an "
            f"{text}, trained on non-metals only; P(metal) >= {model.metal_gate.threshold:g} "
            "(threshold chosen on the calibration split) -> 'metal': value 0, "
            "sigma = calibrated function of 1 - P(metal)"
        )
    return text


def choose_lgbm_weight(model: CompositionModel, features: np.ndarray, y: np.ndarray) -> float:
    """Blend weight of the LightGBM members' mean (vs the MLP members') with the lowest
    MAE on the calibration (validation) split, on a 0.1 grid."""
    preds = np.stack([m.predict(features) for m in model.members], axis=0)
    is_lgbm = np.array([isinstance(m, LGBMMember) for m in model.members])
    lg, ml = preds[is_lgbm].mean(axis=0), preds[~is_lgbm].mean(axis=0)
    grid = np.round(np.linspace(0.0, 1.0, 11), 2)
    maes = [float(np.mean(np.abs(w * lg + (1.0 - w) * ml - y))) for w in grid]
    return float(grid[int(np.argmin(maes))])


def choose_metal_threshold(p_metal: np.ndarray, is_metal: np.ndarray) -> float:
    """P(metal) threshold with the best accuracy on the calibration (validation) split."""
    grid = np.round(np.arange(0.2, 0.81, 0.02), 2)
    acc = [float(np.mean((p_metal >= t) == is_metal)) for t in grid]
    return float(grid[int(np.argmax(acc))])


def recalibrate_property(prop: str, *, out_dir: Path, root: Path | None = None) -> ModelCard:
    """Refit only the calibration of an existing artifact (members unchanged) and rewrite
    its card; the splits are rebuilt from the seed recorded on the card."""
    folder = out_dir / prop
    old = ModelCard.read(folder)
    model = CompositionModel.from_file(folder / ARTIFACT_FILE, data_root=root)
    seed = int(old.split["test_random_state"])
    fast = bool(old.training_data.get("subset_for_fast_run", False))
    data = load_training_data(prop, seed=seed, fast=fast, root=root)
    splits = make_splits(data.groups, seed=seed)
    # Artifacts written before MLP members recorded their input range get the range of
    # the training split (a superset of each member's subsample).
    x_train = data.X[splits[0]]
    lo, hi = x_train.min(axis=0).astype(np.float32), x_train.max(axis=0).astype(np.float32)
    model.members = [
        replace(m, x_min=lo, x_max=hi) if isinstance(m, MLPMember) and m.x_min is None else m
        for m in model.members
    ]
    return calibrate_and_write(
        model,
        data,
        splits,
        out_dir=out_dir,
        seed=seed,
        fast=fast,
        hyperparameters=old.hyperparameters,
        training_seconds=old.training_seconds,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train composition-model artifacts.")
    parser.add_argument("--property", action="append", choices=sorted(PROPERTIES))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fast", action="store_true")
    parser.add_argument(
        "--recalibrate", action="store_true", help="refit calibration of existing artifacts"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    for prop in args.property or list(PROPERTIES):
        if args.recalibrate and prop != PropertyName.energy_above_hull:
            card = recalibrate_property(prop, out_dir=args.out)
        else:
            card = train_property(prop, out_dir=args.out, seed=args.seed, fast=args.fast)
        log.info("%s", json_summary(card))


def json_summary(card: ModelCard) -> str:
    d = asdict(card)
    return f"{d['name']}: {d['metrics_test']} {d['calibration']}"
