"""Fine-tune CHGNet's energy on a group's structures with energies (and forces).

The recipe, for data that differ from CHGNet's MPtrj labels mostly per element (another
DFT code, pseudopotentials or functional):

1. Whole parent structures are held out (:func:`~.finetune_data.holdout_split`: all
   frames of a parent, found by composition, size and ``StructureMatcher``, stay on one
   side; held-out parents are preferably ones whose elements also occur in training).
2. The per-element energy offset is refitted in closed form: a ridge least-squares fit of
   the training residuals (label - shipped CHGNet, eV/atom) on the element fractions is
   added to CHGNet's ``AtomRef`` composition model, which is exactly where a per-element
   shift lives (``refit_atom_ref``).
3. Gradient training (Adam with a cosine learning-rate decay to zero, MSE of energies per
   atom plus ``force_weight`` x MSE of force components) for ``epochs`` passes. With
   ``freeze_backbone`` only the readout (its layer norm and MLP) and ``AtomRef`` train
   (about 13k of 413k parameters), which suits small data; otherwise the message-passing
   backbone trains too, at ``backbone_learning_rate``.
4. After every epoch ``on_epoch`` receives the learning-curve point and a checkpoint
   (bytes) from which :func:`finetune_chgnet` resumes exactly (``resume=``): shuffling is
   seeded per epoch and the optimiser state is saved, so a resumed run ends with the same
   weights as an uninterrupted one.

Cost on one CPU thread (measured on a shared 2-core machine): about 0.05 s per 10-atom
frame and epoch without a force loss, 3-4x that with one or with the backbone unfrozen,
plus single points of every frame before and after training. The fine-tuned model
predicts on the *group's* energy scale: CHGNet's shipped elemental references, formation
energies and hulls (MP2020 scale) do not apply to it.
"""

from __future__ import annotations

import io
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from pymatgen.core import Structure

from matdiscover.errors import InvalidInput, InvalidStructure
from matdiscover.science.models.chgnet_path._model import (
    CHGNET_MODEL_NAME,
    MAX_ATOMIC_NUMBER,
    UNTRAINED_ELEMENTS,
    load_chgnet,
    quiet_chgnet,
)
from matdiscover.science.models.chgnet_path.evaluate import check_structure
from matdiscover.science.models.chgnet_path.finetune_data import (
    MIN_FRAMES,
    EnergyFrames,
    element_fractions,
    holdout_split,
    read_energy_frames,
)
from matdiscover.science.models.types import EpochPoint

if TYPE_CHECKING:
    from chgnet.model import CHGNet

__all__ = [
    "MIN_FRAMES",
    "EnergyFrames",
    "EpochPoint",
    "StructureFineTuneConfig",
    "StructureFineTuneResult",
    "finetune_chgnet",
    "load_finetuned_chgnet",
    "predict_energies",
    "read_checkpoint",
    "read_energy_frames",
]

log = logging.getLogger(__name__)
FloatArray = npt.NDArray[np.float64]

STATE_FORMAT = "matdiscover.chgnet-finetune/1"
CHECKPOINT_FORMAT = "matdiscover.chgnet-finetune-checkpoint/1"
#: Ridge strength of the AtomRef refit, per training frame (element fractions are <= 1).
ATOM_REF_RIDGE = 1e-4
#: Held-out frames kept in ``metrics["holdout_points"]`` (energies per atom, parity plot).
HOLDOUT_POINTS_MAX = 500
#: A candidate counts as worse (card warning) beyond these margins: eV/atom and eV/Å.
WORSE_ENERGY, WORSE_FORCE = 1e-3, 5e-3
_HEAD = ("composition_model", "readout_norm", "mlp")


@dataclass(frozen=True)
class StructureFineTuneConfig:
    """Options of a CHGNet fine-tune.

    Attributes:
        epochs: passes over the training frames.
        freeze_backbone: train only the readout and ``AtomRef`` (small data); else all
            parameters, the backbone at ``backbone_learning_rate``.
        learning_rate: Adam learning rate of the readout and ``AtomRef``.
        backbone_learning_rate: Adam learning rate of the backbone when it is not frozen.
        batch_size: frames per optimiser step.
        holdout_fraction: share of the parent structures held out for the comparison.
        force_weight: weight of the force MSE ((eV/Å)²) next to the energy MSE
            ((eV/atom)²); ignored when the frames have no forces. ``None``: 0 with a
            frozen backbone (forces then cost 4x the time for little: the backbone that
            makes them is fixed; their change is reported), 0.1 otherwise.
        refit_atom_ref: refit the per-element offsets in closed form before training.
        seed: split and shuffling seed.
    """

    epochs: int = 20
    freeze_backbone: bool = True
    learning_rate: float = 3e-4
    backbone_learning_rate: float = 3e-5
    batch_size: int = 8
    holdout_fraction: float = 0.2
    force_weight: float | None = None
    refit_atom_ref: bool = True
    seed: int = 0

    def __post_init__(self) -> None:
        checks = {
            "epochs must be between 1 and 1000": 1 <= self.epochs <= 1000,
            "learning rates must be positive": self.learning_rate > 0
            and self.backbone_learning_rate > 0,
            "batch_size must be between 1 and 256": 1 <= self.batch_size <= 256,
            "holdout_fraction must be between 0 and 1 (exclusive)": 0 < self.holdout_fraction < 1,
            "force_weight must be >= 0": self.force_weight is None or self.force_weight >= 0,
        }
        bad = [message for message, ok in checks.items() if not ok]
        if bad:
            raise InvalidInput("; ".join(bad))

    @property
    def effective_force_weight(self) -> float:
        """``force_weight``, or its default for the backbone setting."""
        if self.force_weight is not None:
            return self.force_weight
        return 0.0 if self.freeze_backbone else 0.1


@dataclass
class StructureFineTuneResult:
    """The candidate (``state``: bytes for :func:`load_finetuned_chgnet`), its comparison
    with the shipped CHGNet (``metrics``), the learning curve and the model card."""

    state: bytes
    metrics: dict[str, Any]
    learning_curve: list[EpochPoint]
    card: dict[str, Any] = field(default_factory=dict)


# ----------------------------------------------------------------------------- model io


def _clone(model: CHGNet) -> CHGNet:
    from chgnet.model import CHGNet

    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    with quiet_chgnet():
        clone = CHGNet.from_dict({"state_dict": state, "model_args": dict(model.model_args)})
    return clone


def _save_bytes(payload: dict[str, Any]) -> bytes:
    import torch

    buf = io.BytesIO()
    torch.save(payload, buf)
    return buf.getvalue()


def _load_bytes(data: bytes, fmt: str, what: str) -> dict[str, Any]:
    import torch

    try:
        payload = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as exc:
        raise InvalidInput(f"not a {what} ({type(exc).__name__})") from exc
    if not isinstance(payload, dict) or payload.get("format") != fmt:
        raise InvalidInput(f"not a {what} (format {fmt} expected)")
    return payload


def load_finetuned_chgnet(state: bytes) -> CHGNet:
    """The CHGNet of a fine-tune's :attr:`StructureFineTuneResult.state`, on the CPU in
    evaluation mode (sets ``torch.set_num_threads(1)``).

    Raises:
        InvalidInput: ``state`` is not a fine-tuned CHGNet state.
    """
    import torch
    from chgnet.model import CHGNet

    torch.set_num_threads(1)
    payload = _load_bytes(state, STATE_FORMAT, "fine-tuned CHGNet state")
    with quiet_chgnet():
        model = CHGNet.from_dict(
            {"state_dict": payload["state_dict"], "model_args": payload["model_args"]}
        )
    model.eval()
    return model


def read_checkpoint(checkpoint: bytes) -> tuple[int, list[EpochPoint]]:
    """The last finished epoch and the learning curve so far of a checkpoint handed to
    ``on_epoch`` by :func:`finetune_chgnet`."""
    data = _load_bytes(checkpoint, CHECKPOINT_FORMAT, "CHGNet fine-tune checkpoint")
    return int(data["epoch"]), [EpochPoint(**p) for p in data["curve"]]


# ----------------------------------------------------------------------------- evaluation


def _evaluate(
    model: CHGNet, structures: Sequence[Structure], *, forces: bool, batch_size: int = 16
) -> tuple[FloatArray, list[FloatArray] | None]:
    """Energies (eV/atom) and, with ``forces``, forces (eV/Å) of ``model``."""
    import torch

    energies: list[FloatArray] = []
    out_forces: list[FloatArray] = []
    for start in range(0, len(structures), batch_size):
        chunk = structures[start : start + batch_size]
        with quiet_chgnet():
            graphs = [model.graph_converter(s) for s in chunk]
            if forces:
                pred = model(graphs, task="ef")
                out_forces.extend(f.detach().numpy().astype(np.float64) for f in pred["f"])
            else:
                with torch.no_grad():
                    pred = model(graphs, task="e")
        energies.append(pred["e"].detach().numpy().astype(np.float64).reshape(-1))
    e = np.concatenate(energies) if energies else np.zeros(0)
    return e, (out_forces if forces else None)


def predict_energies(
    model: CHGNet, structures: Sequence[Structure], *, batch_size: int = 16
) -> FloatArray:
    """Energies in eV/atom of ``structures`` by ``model`` (e.g. :func:`load_finetuned_chgnet`),
    single points, in input order.

    Raises:
        InvalidStructure: a structure is disordered, empty, has an element beyond Pu, or
            an atom without neighbour within CHGNet's cutoff.

    Example:
        >>> from pymatgen.core import Lattice, Structure
        >>> from matdiscover.science.models.chgnet_path import load_chgnet
        >>> nacl = Structure(Lattice.cubic(5.64), ["Na"] * 4 + ["Cl"] * 4,
        ...     [[0, 0, 0], [0, .5, .5], [.5, 0, .5], [.5, .5, 0],
        ...      [.5, .5, .5], [.5, 0, 0], [0, .5, 0], [0, 0, .5]])
        >>> predict_energies(load_chgnet(), [nacl]).round(1).tolist()
        [-3.7]
    """
    items = list(structures)
    for i, s in enumerate(items):
        check_structure(s, index=i)
    try:
        energies, _ = _evaluate(model, items, forces=False, batch_size=batch_size)
    except ValueError as exc:
        raise InvalidStructure(f"CHGNet could not build a graph ({exc})") from exc
    return energies


def _errors(
    e_pred: FloatArray,
    e_true: FloatArray,
    f_pred: list[FloatArray] | None,
    f_true: Sequence[FloatArray] | None,
) -> dict[str, float | None]:
    force_mae = None
    if f_pred is not None and f_true is not None and len(f_pred):
        diff = np.concatenate([p - t for p, t in zip(f_pred, f_true, strict=True)])
        force_mae = float(np.mean(np.abs(diff)))
    energy_mae = float(np.mean(np.abs(e_pred - e_true))) if len(e_true) else float("nan")
    return {"energy_mae": energy_mae, "force_mae": force_mae}


def _atom_ref_shift(x: FloatArray, residual: FloatArray) -> FloatArray:
    """Per-element offsets (eV/atom) fitting ``residual`` on the element fractions ``x``:
    the mean residual on every present element (fractions sum to 1, so that is a constant
    shift, left unpenalised) plus a ridge fit of the rest; absent elements get 0."""
    present = np.flatnonzero(x.any(axis=0))
    xp = x[:, present]
    mean = float(residual.mean())
    lam = ATOM_REF_RIDGE * len(x)
    coef = np.linalg.solve(xp.T @ xp + lam * np.eye(len(present)), xp.T @ (residual - mean))
    shift = np.zeros(x.shape[1])
    shift[present] = coef + mean
    return shift


# ----------------------------------------------------------------------------- training


def _optimizer(model: CHGNet, cfg: StructureFineTuneConfig) -> Any:
    import torch

    head, backbone = [], []
    for name, param in model.named_parameters():
        is_head = name.split(".")[0] in _HEAD
        param.requires_grad_(is_head or not cfg.freeze_backbone)
        if is_head:
            head.append(param)
        elif not cfg.freeze_backbone:
            backbone.append(param)
    groups: list[dict[str, Any]] = [
        {"params": head, "lr": cfg.learning_rate, "base_lr": cfg.learning_rate}
    ]
    if backbone:
        lr = cfg.backbone_learning_rate
        groups.append({"params": backbone, "lr": lr, "base_lr": lr})
    return torch.optim.Adam(groups)


def _train_epoch(
    model: CHGNet,
    opt: Any,
    structures: Sequence[Structure],
    energies: FloatArray,
    forces: Sequence[FloatArray] | None,
    cfg: StructureFineTuneConfig,
    epoch: int,
) -> float:
    """One pass in a seeded order; returns the mean training loss per frame."""
    import torch

    gen = torch.Generator().manual_seed(cfg.seed * 1_000_003 + epoch)
    order = torch.randperm(len(structures), generator=gen).tolist()
    weight = cfg.effective_force_weight
    use_forces = forces is not None and weight > 0
    model.train()
    total = 0.0
    steps = math.ceil(len(order) / cfg.batch_size)
    for step, start in enumerate(range(0, len(order), cfg.batch_size)):
        idx = order[start : start + cfg.batch_size]
        decay = 0.5 * (1 + math.cos(math.pi * (epoch * steps + step) / (cfg.epochs * steps)))
        for group in opt.param_groups:
            group["lr"] = group["base_lr"] * decay
        with quiet_chgnet():
            graphs = [model.graph_converter(structures[i]) for i in idx]
            pred = model(graphs, task="ef" if use_forces else "e")
        target = torch.tensor(energies[idx], dtype=torch.float32)
        loss = torch.mean((pred["e"] - target) ** 2)
        if use_forces and forces is not None:
            f_true = torch.tensor(np.concatenate([forces[i] for i in idx]), dtype=torch.float32)
            loss = loss + weight * torch.mean((torch.cat(pred["f"]) - f_true) ** 2)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += float(loss.detach()) * len(idx)
    model.eval()
    return total / max(1, len(order))


def finetune_chgnet(
    frames: EnergyFrames,
    *,
    config: StructureFineTuneConfig | None = None,
    resume: bytes | None = None,
    on_epoch: Callable[[EpochPoint, bytes], bool] | None = None,
) -> StructureFineTuneResult | None:
    """Fine-tune the shipped CHGNet on ``frames`` and compare it with the shipped model.

    Args:
        frames: validated frames (:func:`read_energy_frames`).
        config: see :class:`StructureFineTuneConfig`.
        resume: a checkpoint handed to ``on_epoch`` by an earlier, interrupted run with the
            same frames and options: training continues after its epoch and ends with
            the weights of an uninterrupted run.
        on_epoch: called after every epoch with the learning-curve point (``holdout_mae``:
            held-out energy MAE in eV/atom; ``train_loss``: mean training loss) and a
            checkpoint; return ``False`` to stop (the function then returns ``None``).

    Returns:
        A :class:`StructureFineTuneResult`; ``metrics["holdout"]`` and ``metrics["train"]``
        hold ``frames`` and, for ``shipped``, ``atom_ref_only`` (shipped + the refitted
        offsets, before gradient training) and ``candidate``, ``energy_mae`` (eV/atom) and
        ``force_mae`` (eV/Å, ``None`` without forces); ``metrics["holdout_points"]`` the
        first :data:`HOLDOUT_POINTS_MAX` held-out frames' ``formula``, ``measured``,
        ``shipped`` and ``candidate`` energies (eV/atom). ``None`` when stopped.

    Raises:
        InvalidInput: a checkpoint of other frames or options.
    """
    import torch

    cfg = config or StructureFineTuneConfig()
    started = time.perf_counter()
    torch.set_num_threads(1)
    base = load_chgnet()
    structures, energies = list(frames.structures), frames.energies_per_atom
    train, hold, how = holdout_split(structures, fraction=cfg.holdout_fraction, seed=cfg.seed)
    has_forces = frames.forces is not None

    def part(ix: npt.NDArray[np.int64]) -> tuple[list[Structure], list[FloatArray] | None]:
        f = None if frames.forces is None else [frames.forces[i] for i in ix]
        return [structures[i] for i in ix], f

    (s_train, f_train), (s_hold, f_hold) = part(train), part(hold)
    e_ship, f_ship = _evaluate(base, structures, forces=has_forces)
    x = element_fractions(structures)
    shift = np.zeros(MAX_ATOMIC_NUMBER)
    if cfg.refit_atom_ref:
        shift = _atom_ref_shift(x[train], energies[train] - e_ship[train])

    model = _clone(base)
    opt = _optimizer(model, cfg)
    first_epoch, curve = 0, []
    fingerprint = frames.fingerprint()
    same = asdict(cfg)
    if resume is not None:
        ckpt = _load_bytes(resume, CHECKPOINT_FORMAT, "CHGNet fine-tune checkpoint")
        if ckpt.get("fingerprint") != fingerprint or ckpt.get("config") != same:
            raise InvalidInput("the checkpoint belongs to a fine-tune of other frames or options")
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        first_epoch = int(ckpt["epoch"])
        curve = [EpochPoint(**p) for p in ckpt["curve"]]
        log.info("CHGNet fine-tune resumed after epoch %d", first_epoch)
    else:
        atom_ref: Any = model.composition_model
        with torch.no_grad():
            atom_ref.fc.weight += torch.tensor(shift, dtype=torch.float32)

    for epoch in range(first_epoch, cfg.epochs):
        t0 = time.perf_counter()
        loss = _train_epoch(model, opt, s_train, energies[train], f_train, cfg, epoch)
        e_hold, _ = _evaluate(model, s_hold, forces=False)
        point = EpochPoint(
            epoch=epoch + 1,
            epochs=cfg.epochs,
            train_loss=loss,
            holdout_mae=float(np.mean(np.abs(e_hold - energies[hold]))),
            seconds=round(time.perf_counter() - t0, 2),
        )
        curve.append(point)
        log.info("CHGNet fine-tune epoch %d/%d: %s", epoch + 1, cfg.epochs, point)
        if on_epoch is not None:
            checkpoint = _save_bytes(
                {
                    "format": CHECKPOINT_FORMAT,
                    "epoch": epoch + 1,
                    "curve": [asdict(p) for p in curve],
                    "model": model.state_dict(),
                    "optimizer": opt.state_dict(),
                    "fingerprint": fingerprint,
                    "config": same,
                }
            )
            if not on_epoch(point, checkpoint):
                return None

    metrics: dict[str, Any] = {}
    for label, ix, s_part, f_part in (
        ("holdout", hold, s_hold, f_hold),
        ("train", train, s_train, f_train),
    ):
        e_cand, f_cand = _evaluate(model, s_part, forces=has_forces)
        f_base = None if f_ship is None else [f_ship[i] for i in ix]
        shipped = _errors(e_ship[ix], energies[ix], f_base, f_part)
        metrics[label] = {
            "frames": len(ix),
            "shipped": shipped,
            "atom_ref_only": {
                **_errors(e_ship[ix] + x[ix] @ shift, energies[ix], None, None),
                "force_mae": shipped["force_mae"],
            },
            "candidate": _errors(e_cand, energies[ix], f_cand, f_part),
        }
        if label == "holdout":  # for a parity plot, like the composition fine-tune's
            metrics["holdout_points"] = [
                {
                    "formula": structures[i].composition.reduced_formula,
                    "measured": round(float(energies[i]), 4),
                    "shipped": round(float(e_ship[i]), 4),
                    "candidate": round(float(c), 4),
                }
                for i, c in zip(ix[:HOLDOUT_POINTS_MAX], e_cand, strict=False)
            ]
    metrics["holdout"]["split"] = how
    state = _save_bytes(
        {
            "format": STATE_FORMAT,
            "base_model": CHGNET_MODEL_NAME,
            "model_args": dict(model.model_args),
            "state_dict": model.state_dict(),
        }
    )
    seconds = round(time.perf_counter() - started, 1)
    card = _card(frames, cfg, metrics, curve, seconds, train=train, hold=hold, model=model)
    return StructureFineTuneResult(state=state, metrics=metrics, learning_curve=curve, card=card)


def _card(
    frames: EnergyFrames,
    cfg: StructureFineTuneConfig,
    metrics: dict[str, Any],
    curve: list[EpochPoint],
    seconds: float,
    *,
    train: npt.NDArray[np.int64],
    hold: npt.NDArray[np.int64],
    model: CHGNet,
) -> dict[str, Any]:
    hold_m = metrics["holdout"]
    cand, ship, ref = hold_m["candidate"], hold_m["shipped"], hold_m["atom_ref_only"]
    warnings = [
        f"the candidate is worse than the shipped model on the held-out frames ({what} MAE "
        f"{cand[key]:.4g} vs {ship[key]:.4g} {unit})"
        for what, key, unit, tol in (
            ("energy", "energy_mae", "eV/atom", WORSE_ENERGY),
            ("force", "force_mae", "eV/Å", WORSE_FORCE),
        )
        if ship[key] is not None and cand[key] > ship[key] + tol
    ]
    if cand["energy_mae"] > ref["energy_mae"] + WORSE_ENERGY:
        warnings.append(
            "gradient training left the held-out energies worse than the refitted per-element "
            f"offsets alone (MAE {cand['energy_mae']:.4g} vs {ref['energy_mae']:.4g} eV/atom); "
            "fewer epochs or a lower learning rate may do better"
        )

    def elements(ix: npt.NDArray[np.int64]) -> set[str]:
        return {el.symbol for i in ix for el in frames.structures[i].composition.elements}

    unseen = sorted(elements(hold) - elements(train))
    if unseen:
        warnings.append(
            f"held-out frames contain elements absent from the training frames "
            f"({', '.join(unseen)}): their offsets were not learned"
        )
    if hold_m["split"].startswith("by frame"):
        warnings.append(
            "all frames come from one parent structure: held-out frames are relatives of "
            "training frames and the comparison is optimistic"
        )
    untrained = sorted(elements(train) & UNTRAINED_ELEMENTS)
    if untrained:
        warnings.append(f"CHGNet is nearly untrained on {', '.join(untrained)}")
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    version = CHGNET_MODEL_NAME
    return {
        "name": f"chgnet-{version}-ft",
        "method": "structure",
        "property": "energy_per_atom",
        "unit": "eV/atom",
        "base_model": {"name": f"chgnet-{version}", "version": version},
        "description": "CHGNet fine-tuned on the group's structures with energies"
        + (" (frozen backbone: readout and AtomRef only)" if cfg.freeze_backbone else ""),
        "energy_scale": "the group's energies as uploaded (total energy per cell / atoms); "
        "CHGNet's shipped elemental references, formation energies and hulls (MP2020 "
        "scale) do not apply to this model",
        "training_data": {
            "file": frames.filename,
            "frames": len(frames),
            "frames_train": len(train),
            "frames_held_out": len(hold),
            "atoms": frames.num_atoms,
            "elements": frames.elements,
            "forces": frames.forces is not None,
            "fingerprint_sha256": frames.fingerprint(),
        },
        "split": f"held out {hold_m['split']} (fraction {cfg.holdout_fraction}, seed {cfg.seed})",
        "hyperparameters": asdict(cfg),
        "trainable_parameters": trainable,
        "metrics": metrics,
        "learning_curve": [asdict(p) for p in curve],
        "warnings": warnings,
        "training_seconds": seconds,
    }
