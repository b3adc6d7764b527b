"""Ensemble members: LightGBM boosters and small MLPs (trained with torch, run in numpy).

MLP members are used for the large tables (formation energy, band gap, energy above
hull): at equal accuracy they are far cheaper to evaluate than boosted trees. Inference
is plain numpy, so loading a model never imports torch.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Protocol

import lightgbm as lgb
import numpy as np
import numpy.typing as npt

__all__ = ["LGBMMember", "MLPMember", "Member", "load_mlp_members", "save_mlp_members"]

FloatArray = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]


class Member(Protocol):
    def predict(self, features: FloatArray) -> FloatArray: ...


@dataclass(frozen=True)
class LGBMMember:
    """A LightGBM regressor. A booster with one feature more than it is given was trained
    with extra tables (see ``PropertySpec.extra_tables``): the last feature is the
    source flag and is 0 at prediction time."""

    booster: lgb.Booster

    def predict(self, features: FloatArray) -> FloatArray:
        if self.booster.num_feature() == features.shape[1] + 1:
            features = np.column_stack([features, np.zeros(len(features))])
        return np.asarray(self.booster.predict(features, num_threads=1), dtype=np.float64)


@dataclass(frozen=True)
class MLPMember:
    """Clip to the training range -> standardise -> [Linear -> SiLU]* -> Linear.

    Clipping every feature to its training range makes the network extrapolate like a
    tree ensemble (flat) instead of exploding: an element absent from training has zero
    variance in its fraction column, so without clipping any non-zero fraction would be
    standardised to ~1e8.
    """

    x_mean: F32
    x_scale: F32
    y_mean: float
    y_scale: float
    weights: tuple[F32, ...]
    biases: tuple[F32, ...]
    x_min: F32 | None = None
    x_max: F32 | None = None

    def predict(self, features: FloatArray) -> FloatArray:
        if self.x_min is not None and self.x_max is not None:
            features = np.clip(features, self.x_min, self.x_max)
        h: npt.NDArray[Any] = ((features - self.x_mean) / self.x_scale).astype(np.float32)
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = h @ w + b
            if i < last:
                with np.errstate(over="ignore"):  # exp overflow -> inf -> SiLU = 0, exact
                    h = h / (1.0 + np.exp(-h))
        return h[:, 0].astype(np.float64) * self.y_scale + self.y_mean


def save_mlp_members(members: list[MLPMember]) -> bytes:
    """Serialise MLP members to compressed ``.npz`` bytes."""
    arrays: dict[str, Any] = {}
    for k, m in enumerate(members):
        arrays[f"m{k}_x_mean"] = m.x_mean
        arrays[f"m{k}_x_scale"] = m.x_scale
        arrays[f"m{k}_y"] = np.array([m.y_mean, m.y_scale], dtype=np.float64)
        if m.x_min is not None and m.x_max is not None:
            arrays[f"m{k}_x_min"] = m.x_min
            arrays[f"m{k}_x_max"] = m.x_max
        for j, (w, b) in enumerate(zip(m.weights, m.biases, strict=True)):
            arrays[f"m{k}_w{j}"] = w
            arrays[f"m{k}_b{j}"] = b
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def load_mlp_members(raw: bytes) -> list[MLPMember]:
    """Inverse of :func:`save_mlp_members`."""
    with np.load(io.BytesIO(raw)) as z:
        arrays = {k: z[k] for k in z.files}
    out = []
    k = 0
    while f"m{k}_x_mean" in arrays:
        n_layers = sum(1 for name in arrays if name.startswith(f"m{k}_w"))
        y = arrays[f"m{k}_y"]
        out.append(
            MLPMember(
                x_mean=arrays[f"m{k}_x_mean"],
                x_scale=arrays[f"m{k}_x_scale"],
                y_mean=float(y[0]),
                y_scale=float(y[1]),
                weights=tuple(arrays[f"m{k}_w{j}"] for j in range(n_layers)),
                biases=tuple(arrays[f"m{k}_b{j}"] for j in range(n_layers)),
                x_min=arrays.get(f"m{k}_x_min"),
                x_max=arrays.get(f"m{k}_x_max"),
            )
        )
        k += 1
    return out


def train_mlp(
    X: FloatArray,
    y: FloatArray,
    *,
    seed: int,
    hidden: tuple[int, ...] = (384, 384, 192),
    epochs: int = 30,
    lr: float = 2e-3,
    batch_size: int = 256,
    weight_decay: float = 1e-4,
    loss: str = "l1",
) -> MLPMember:
    """Train one MLP member with AdamW and a one-cycle schedule (single CPU thread)."""
    import torch  # local import: inference never needs torch

    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    x_mean = X.mean(axis=0)
    x_scale = X.std(axis=0) + 1e-8
    y_mean, y_scale = float(y.mean()), float(y.std() or 1.0)
    xt = torch.tensor(((X - x_mean) / x_scale).astype(np.float32))
    yt = torch.tensor(((y - y_mean) / y_scale).astype(np.float32))
    sizes = (X.shape[1], *hidden, 1)
    layers: list[torch.nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.SiLU())
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=weight_decay)
    steps_per_epoch = max(1, len(xt) // batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=lr, total_steps=epochs * steps_per_epoch
    )
    loss_fn = torch.nn.functional.l1_loss if loss == "l1" else torch.nn.functional.mse_loss
    net.train()
    for _ in range(epochs):
        perm = torch.randperm(len(xt), generator=gen)
        for i in range(steps_per_epoch):
            idx = perm[i * batch_size : (i + 1) * batch_size]
            out = loss_fn(net(xt[idx]).squeeze(1), yt[idx])
            opt.zero_grad()
            out.backward()
            opt.step()
            sched.step()
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    return MLPMember(
        x_mean=x_mean.astype(np.float32),
        x_scale=x_scale.astype(np.float32),
        y_mean=y_mean,
        y_scale=y_scale,
        weights=tuple(m.weight.detach().numpy().T.copy() for m in linears),
        biases=tuple(m.bias.detach().numpy().copy() for m in linears),
        x_min=X.min(axis=0).astype(np.float32),
        x_max=X.max(axis=0).astype(np.float32),
    )
