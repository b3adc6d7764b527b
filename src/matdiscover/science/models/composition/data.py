"""The labelled data of one composition model: load and featurise a property's table,
and the grouped train / calibration / test splits (used by training and by the
hull route's evaluation)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupShuffleSplit

from matdiscover.science.featurize import featurize_compositions, reduced_formula_key
from matdiscover.science.models.composition.specs import PROPERTIES
from matdiscover.science.reference_data import data_dir, load_table

__all__ = ["CAL_FRACTION", "TEST_FRACTION", "TrainingData", "load_training_data", "make_splits"]

TEST_FRACTION = 0.1
CAL_FRACTION = 0.1


@dataclass(frozen=True)
class TrainingData:
    """Featurised labels of one property, in training space (log10 for log properties)."""

    X: np.ndarray
    y: np.ndarray
    formulas: np.ndarray
    groups: np.ndarray
    fractions: np.ndarray
    n_table: int
    n_dropped: int
    table_path: Path


def load_training_data(
    prop: str, *, seed: int = 0, fast: bool = False, root: Path | None = None
) -> TrainingData:
    """Load, featurise and transform the labels of ``prop`` (``fast``: 1,500-row sample)."""
    spec = PROPERTIES[prop]
    table = load_table(spec.table, root=root)
    n_table = len(table)
    if fast:
        table = table.sample(n=min(1500, n_table), random_state=seed).reset_index(drop=True)
    formulas = table["formula"].astype(str).tolist()
    batch = featurize_compositions(formulas, root=root)
    target = table["target"].to_numpy(dtype=np.float64)[batch.rows]
    X, rows, fractions = batch.features, batch.rows, batch.fractions
    if spec.transform == "log10" and not spec.table_is_log10:
        keep = target > 0
        X, target, rows, fractions = X[keep], np.log10(target[keep]), rows[keep], fractions[keep]
    f_arr = np.asarray(formulas, dtype=object)[rows]
    groups = np.array([reduced_formula_key(f) for f in f_arr])
    return TrainingData(
        X=X,
        y=target,
        formulas=f_arr,
        groups=groups,
        fractions=fractions,
        n_table=n_table,
        n_dropped=len(formulas) - len(target),
        table_path=data_dir(root) / "reference" / f"{spec.table}.parquet",
    )


def make_splits(groups: np.ndarray, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(train, calibration, test)`` row indices, grouped by reduced formula."""
    dummy = np.zeros(len(groups))
    gss = GroupShuffleSplit(n_splits=1, test_size=TEST_FRACTION, random_state=seed)
    trval, test = next(gss.split(dummy, dummy, groups))
    gss2 = GroupShuffleSplit(n_splits=1, test_size=CAL_FRACTION, random_state=seed + 1)
    tr_rel, cal_rel = next(gss2.split(dummy[trval], dummy[trval], groups[trval]))
    return trval[tr_rel], trval[cal_rel], test
