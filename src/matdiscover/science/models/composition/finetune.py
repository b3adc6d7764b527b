"""Fine-tune a shipped composition model with a group's own measurements.

The shipped ensemble is the starting point; the group's rows are added with a weight
(``user_weight``) next to a replay sample of the shipped *training* split (so the model
does not forget the reference data). The shipped test split is never trained on: it is
only used to report how the candidate does on the reference labels. The group's own rows
are split by reduced formula into a training part and a held-out part
(``holdout_fraction``); the held-out part is the comparison every promotion decision sees.

* MLP members continue training with AdamW and a weighted L1 loss, one epoch at a time;
  after every epoch ``on_epoch`` receives the learning-curve point and a checkpoint
  (bytes) from which :func:`finetune_composition` resumes (``resume=``).
* LightGBM members and the band gap's metal classifier continue boosting for a few
  rounds (``lgbm_rounds``, ``classifier_rounds``) on the same weighted rows.
* The sigma calibration of the shipped model is kept.

The group's rows are validated and split in :mod:`.finetune_rows` (re-exported here).
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt

from matdiscover.errors import InvalidInput
from matdiscover.science.featurize import featurize_compositions
from matdiscover.science.models.composition.data import load_training_data, make_splits
from matdiscover.science.models.composition.ensemble import CompositionModel
from matdiscover.science.models.composition.finetune_rows import (
    FINETUNABLE,
    MAX_TRAINING_ROWS,
    MIN_TRAINING_ROWS,
    TrainingRows,
    check_training_rows,
    evaluate,
    holdout_split,
    predict_with,
)
from matdiscover.science.models.composition.members import LGBMMember, Member, MLPMember
from matdiscover.science.models.composition.specs import PROPERTIES
from matdiscover.science.models.types import EpochPoint

__all__ = [
    "FINETUNABLE",
    "HOLDOUT_POINTS_MAX",
    "MAX_TRAINING_ROWS",
    "MIN_TRAINING_ROWS",
    "EpochPoint",
    "FineTuneConfig",
    "FineTuneResult",
    "TrainingRows",
    "check_training_rows",
    "evaluate",
    "finetune_composition",
    "holdout_points",
    "holdout_split",
    "predict_with",
    "read_checkpoint",
]

log = logging.getLogger(__name__)
FloatArray = npt.NDArray[np.float64]
#: Held-out rows kept per version for its parity plot (``metrics["holdout_points"]``).
HOLDOUT_POINTS_MAX = 500


@dataclass(frozen=True)
class FineTuneConfig:
    """Options of a fine-tune.

    Attributes:
        epochs: passes over the mixed rows for MLP members.
        user_weight: weight of one of the group's rows relative to one replay row.
        replay_rows: rows sampled from the shipped training split (0: none).
        lr: AdamW learning rate of MLP members.
        batch_size: rows per optimiser step.
        holdout_fraction: share of the group's formulas held out for the comparison.
        lgbm_rounds: extra boosting rounds per LightGBM member.
        classifier_rounds: extra boosting rounds of a metal classifier.
        seed: split and shuffling seed.
    """

    epochs: int = 12
    user_weight: float = 10.0
    replay_rows: int = 3000
    lr: float = 3e-4
    batch_size: int = 128
    holdout_fraction: float = 0.2
    lgbm_rounds: int = 50
    classifier_rounds: int = 40
    seed: int = 0


@dataclass
class FineTuneResult:
    """The candidate model, its comparison with the shipped one and its card.

    Its learning curve's ``train_loss`` is the weighted training L1 loss (standardised
    units, mean over MLP members), ``holdout_mae`` the regressor's MAE on the held-out
    rows."""

    model: CompositionModel
    metrics: dict[str, Any]
    learning_curve: list[EpochPoint]
    card: dict[str, Any] = field(default_factory=dict)


# ----------------------------------------------------------------------------- training


def _torch_net(member: MLPMember) -> Any:
    import torch

    layers: list[torch.nn.Module] = []
    last = len(member.weights) - 1
    for i, (w, b) in enumerate(zip(member.weights, member.biases, strict=True)):
        lin = torch.nn.Linear(w.shape[0], w.shape[1])
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(np.ascontiguousarray(w.T), dtype=torch.float32))
            lin.bias.copy_(torch.tensor(b, dtype=torch.float32))
        layers.append(lin)
        if i < last:
            layers.append(torch.nn.SiLU())
    return torch.nn.Sequential(*layers)


def _member_from(net: Any, member: MLPMember) -> MLPMember:
    import torch

    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    return replace(
        member,
        weights=tuple(m.weight.detach().numpy().T.copy() for m in linears),
        biases=tuple(m.bias.detach().numpy().copy() for m in linears),
    )


def _standardise(member: MLPMember, X: FloatArray) -> FloatArray:
    if member.x_min is not None and member.x_max is not None:
        X = np.clip(X, member.x_min, member.x_max)
    return ((X - member.x_mean) / member.x_scale).astype(np.float32)


def _to_t(prop: str, values: FloatArray) -> FloatArray:
    return np.log10(values) if PROPERTIES[prop].transform == "log10" else values


def finetune_composition(
    base: CompositionModel,
    rows: TrainingRows,
    *,
    config: FineTuneConfig | None = None,
    name: str | None = None,
    version: str = "ft",
    resume: bytes | None = None,
    on_epoch: Callable[[EpochPoint, bytes], bool] | None = None,
    base_card: dict[str, Any] | None = None,
    root: Path | None = None,
) -> FineTuneResult | None:
    """Fine-tune ``base`` on ``rows`` and compare it with ``base``.

    Args:
        base: the shipped (or currently active) model of ``rows.property``.
        rows: the group's validated rows (:func:`check_training_rows`).
        config: see :class:`FineTuneConfig`.
        name, version: of the candidate (default ``<base name>-ft``, ``"ft"``).
        resume: a checkpoint handed to ``on_epoch`` by an earlier, interrupted run with
            the same inputs: training continues after its epoch.
        on_epoch: called after every epoch with the learning-curve point and a
            checkpoint; return ``False`` to stop (the function then returns ``None``).
        base_card: the base model's card (its split seed is reused; default seed 0).
        root: optional data directory.

    Returns:
        A :class:`FineTuneResult` (``metrics``: ``holdout`` and ``shipped_test`` each with
        ``shipped`` and ``candidate`` MAE/RMSE/coverage; ``holdout_points`` the held-out
        rows with both models' predictions, see :func:`holdout_points`), or ``None`` when
        stopped.
    """
    import torch

    cfg = config or FineTuneConfig()
    prop = rows.property
    spec = base.spec
    started = time.perf_counter()
    torch.set_num_threads(1)
    seed = int((base_card or {}).get("split", {}).get("test_random_state", 0))
    data = load_training_data(prop, seed=seed, root=root)
    train, _cal, test = make_splits(data.groups, seed=seed)
    gate = base.metal_gate

    batch = featurize_compositions(list(rows.formulas), root=root)
    usable = batch.rows
    if len(usable) < MIN_TRAINING_ROWS:
        raise InvalidInput(
            f"only {len(usable)} of {len(rows)} formulas could be featurised "
            f"(first problem: {batch.errors[0][1] if batch.errors else 'none'})"
        )
    forms = np.asarray(rows.formulas, dtype=object)[usable]
    vals = rows.values[usable]
    X_user = batch.features
    u_train, u_hold = holdout_split(list(forms), fraction=cfg.holdout_fraction, seed=cfg.seed)

    rng = np.random.default_rng(cfg.seed)
    reg_pool = train if gate is None else train[data.y[train] > 0]
    replay = rng.choice(reg_pool, size=min(cfg.replay_rows, len(reg_pool)), replace=False)
    y_user_t = _to_t(prop, vals)
    reg_user = u_train if gate is None else u_train[vals[u_train] > 0]
    X_mix = np.vstack([data.X[replay], X_user[reg_user]])
    y_mix = np.concatenate([data.y[replay], y_user_t[reg_user]])
    w_mix = np.concatenate([np.ones(len(replay)), np.full(len(reg_user), cfg.user_weight)])
    w_mix = w_mix / w_mix.mean()

    members = list(base.members)
    mlp_idx = [i for i, m in enumerate(members) if isinstance(m, MLPMember)]
    mlps: list[MLPMember] = [m for m in members if isinstance(m, MLPMember)]
    nets, opts = [], []
    for mlp in mlps:
        net = _torch_net(mlp)
        nets.append(net)
        opts.append(torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=1e-4))
    first_epoch = 0
    curve: list[EpochPoint] = []
    if resume is not None:
        state = torch.load(io.BytesIO(resume), weights_only=False)
        for net, opt, ns, os_ in zip(nets, opts, state["nets"], state["opts"], strict=True):
            net.load_state_dict(ns)
            opt.load_state_dict(os_)
        first_epoch = int(state["epoch"])
        curve = [EpochPoint(**p) for p in state["curve"]]
        log.info("%s fine-tune resumed after epoch %d", prop, first_epoch)

    hold_reg = u_hold if gate is None else u_hold[vals[u_hold] > 0]
    xs = [_standardise(m, X_mix) for m in mlps]
    ys = [((y_mix - m.y_mean) / m.y_scale).astype(np.float32) for m in mlps]
    wt = torch.tensor(w_mix.astype(np.float32))
    epochs = cfg.epochs if mlp_idx else 0
    for epoch in range(first_epoch, epochs):
        t0 = time.perf_counter()
        losses = []
        for k, (net, opt) in enumerate(zip(nets, opts, strict=True)):
            gen = torch.Generator().manual_seed(cfg.seed * 100_003 + epoch * 101 + k)
            xt, yt = torch.tensor(xs[k]), torch.tensor(ys[k])
            perm = torch.randperm(len(xt), generator=gen)
            net.train()
            total = 0.0
            for s in range(0, len(xt), cfg.batch_size):
                idx = perm[s : s + cfg.batch_size]
                err = (net(xt[idx]).squeeze(1) - yt[idx]).abs()
                loss = (err * wt[idx]).sum() / wt[idx].sum()
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += float(loss.detach()) * len(idx)
            losses.append(total / len(xt))
        for k, i in enumerate(mlp_idx):
            members[i] = _member_from(nets[k], mlps[k])
        hold_mae = _regressor_mae(base, members, X_user[hold_reg], vals[hold_reg])
        point = EpochPoint(
            epoch=epoch + 1,
            epochs=epochs,
            train_loss=float(np.mean(losses)),
            holdout_mae=hold_mae,
            seconds=round(time.perf_counter() - t0, 2),
        )
        curve.append(point)
        log.info("%s fine-tune epoch %d/%d: %s", prop, epoch + 1, epochs, point)
        if on_epoch is not None:
            buf = io.BytesIO()
            torch.save(
                {
                    "epoch": epoch + 1,
                    "nets": [n.state_dict() for n in nets],
                    "opts": [o.state_dict() for o in opts],
                    "curve": [asdict(p) for p in curve],
                },
                buf,
            )
            if not on_epoch(point, buf.getvalue()):
                return None
    for k, i in enumerate(mlp_idx):
        members[i] = _member_from(nets[k], mlps[k])

    # boosted members and the metal classifier: a few more rounds on the weighted rows
    for i, m in enumerate(members):
        if isinstance(m, LGBMMember):
            members[i] = _boost_member(m, X_mix, y_mix, w_mix, spec.params, cfg, seed=i)
    if gate is not None:
        is_metal_user = (vals[u_train] <= 0).astype(np.float64)
        crep = rng.choice(train, size=min(cfg.replay_rows, len(train)), replace=False)
        Xc = np.vstack([data.X[crep], X_user[u_train]])
        yc = np.concatenate([(data.y[crep] <= 0).astype(np.float64), is_metal_user])
        wc = np.concatenate([np.ones(len(crep)), np.full(len(u_train), cfg.user_weight)])
        params = {**(spec.metal_classifier or {}), "seed": cfg.seed, "verbose": -1}
        booster = lgb.train(
            params,
            lgb.Dataset(Xc, yc, weight=wc),
            num_boost_round=cfg.classifier_rounds,
            init_model=gate.booster,
        )
        gate = replace(gate, booster=booster)

    candidate = CompositionModel(
        spec=spec,
        members=members,
        calibration=base.calibration,
        element_counts=base.element_counts,
        name=name or f"{base.name}-ft",
        version=version,
        rare_threshold=base.rare_threshold,
        ood_factor=base.ood_factor,
        data_root=root,
        lgbm_weight=base.lgbm_weight,
        metal_gate=gate,
    )
    hold_f, hold_v = list(forms[u_hold]), vals[u_hold]
    test_f = list(data.formulas[test])
    test_v = 10.0 ** data.y[test] if spec.transform == "log10" else data.y[test]
    metrics = {
        "holdout": {
            "rows": int(len(u_hold)),
            "shipped": evaluate(base, hold_f, hold_v),
            "candidate": evaluate(candidate, hold_f, hold_v),
        },
        "shipped_test": {
            "rows": int(len(test)),
            "table": spec.table,
            "shipped": evaluate(base, test_f, test_v),
            "candidate": evaluate(candidate, test_f, test_v),
        },
        "holdout_points": holdout_points(base, candidate, hold_f, hold_v),
    }
    seconds = round(time.perf_counter() - started, 1)
    card = _card(base, candidate, rows, cfg, metrics, curve, seconds, n_train=len(u_train))
    card["training_data"]["rows_unfeaturisable"] = len(batch.errors)
    card["training_data"]["replay_rows"] = int(len(replay))
    return FineTuneResult(model=candidate, metrics=metrics, learning_curve=curve, card=card)


def holdout_points(
    base: CompositionModel,
    candidate: CompositionModel,
    formulas: list[str],
    measured: FloatArray,
    *,
    limit: int = HOLDOUT_POINTS_MAX,
) -> list[dict[str, Any]]:
    """The held-out rows for a parity plot: ``{"formula", "measured", "shipped",
    "candidate"}`` per row (values in the property's unit, 4 decimals), the first
    ``limit`` rows whose two predictions are finite."""
    rows = formulas[:limit]
    if not rows:
        return []
    shipped = base.predict(rows).value
    tuned = candidate.predict(rows).value
    return [
        {
            "formula": str(f),
            "measured": round(float(m), 4),
            "shipped": round(float(s), 4),
            "candidate": round(float(c), 4),
        }
        for f, m, s, c in zip(rows, measured[:limit], shipped, tuned, strict=True)
        if np.isfinite(s) and np.isfinite(c)
    ]


def read_checkpoint(state: bytes) -> tuple[int, list[EpochPoint]]:
    """The last finished epoch and the learning curve so far of a checkpoint handed to
    ``on_epoch`` by :func:`finetune_composition`."""
    import torch

    data = torch.load(io.BytesIO(state), weights_only=False)
    return int(data["epoch"]), [EpochPoint(**p) for p in data["curve"]]


def _regressor_mae(
    base: CompositionModel, members: list[Member], X: FloatArray, truth: FloatArray
) -> float:
    if len(truth) == 0:
        return float("nan")
    preds = np.stack([m.predict(X) for m in members], axis=0).mean(axis=0)
    value = 10.0**preds if base.spec.transform == "log10" else preds
    return float(np.mean(np.abs(value - truth)))


def _boost_member(
    member: LGBMMember,
    X: FloatArray,
    y: FloatArray,
    w: FloatArray,
    params: dict[str, Any],
    cfg: FineTuneConfig,
    *,
    seed: int,
) -> LGBMMember:
    if member.booster.num_feature() == X.shape[1] + 1:
        X = np.column_stack([X, np.zeros(len(X))])
    booster = lgb.train(
        {**params, "seed": cfg.seed * 1000 + seed, "verbose": -1},
        lgb.Dataset(X, y, weight=w),
        num_boost_round=cfg.lgbm_rounds,
        init_model=member.booster,
    )
    return LGBMMember(booster)


def _card(
    base: CompositionModel,
    candidate: CompositionModel,
    rows: TrainingRows,
    cfg: FineTuneConfig,
    metrics: dict[str, Any],
    curve: list[EpochPoint],
    seconds: float,
    *,
    n_train: int,
) -> dict[str, Any]:
    hold, test = metrics["holdout"], metrics["shipped_test"]
    warnings = [
        f"the candidate is worse than the shipped model on the {label} "
        f"(MAE {part['candidate']['mae']:.4g} vs {part['shipped']['mae']:.4g} {rows.unit})"
        for label, part in (("group's held-out rows", hold), ("shipped test split", test))
        if part["candidate"]["mae"] > part["shipped"]["mae"]
    ]
    return {
        "name": candidate.name,
        "version": candidate.version,
        "property": rows.property,
        "unit": rows.unit,
        "method": "composition",
        "base_model": {"name": base.name, "version": base.version},
        "description": f"{base.spec.description}, fine-tuned on the group's measurements",
        "training_data": {
            "group_rows": len(rows),
            "group_rows_train": n_train,
            "group_rows_held_out": hold["rows"],
            "group_fingerprint_sha256": rows.fingerprint(),
            "user_weight": cfg.user_weight,
            "replay_from": f"{base.spec.table} training split (shipped test split never used)",
        },
        "split": {
            "group": "held out by reduced formula "
            f"(fraction {cfg.holdout_fraction}, seed {cfg.seed})",
            "shipped_test": f"{base.spec.table} test split of the shipped card "
            f"({test['rows']} rows)",
        },
        "hyperparameters": asdict(cfg),
        "metrics": metrics,
        "learning_curve": [asdict(p) for p in curve],
        "calibration": "sigma calibration of the base model kept",
        "warnings": warnings,
        "training_seconds": seconds,
    }
