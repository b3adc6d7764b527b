"""The shipped molecule seed set: 48,714 ChEMBL Ki/EC50 activities from MoleculeACE 3.0.0.

Built by ``scripts/build_molecule_seed.py``; source, licence (ChEMBL data CC BY-SA 3.0) and
checksum are in ``data/PROVENANCE.md``. Columns: ``smiles``, ``target`` (ChEMBL target id),
``activity_type`` (``Ki``/``EC50``), ``value`` and ``unit`` (nM), ``relation`` (``=``),
``p_activity`` (-log10 of the molar value) and ``source_row``.

Example:
    >>> df = load_moleculeace_seed()
    >>> len(df), df["target"].nunique(), list(df.columns)[:3]
    (48714, 29, ['smiles', 'target', 'activity_type'])
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from matdiscover.errors import ConfigurationError
from matdiscover.science.reference_data import data_dir

__all__ = ["SEED_COLUMNS", "load_moleculeace_seed", "seed_path"]

SEED_FILE = "moleculeace_seed.parquet"
SEED_COLUMNS = (
    "smiles",
    "target",
    "activity_type",
    "value",
    "unit",
    "relation",
    "p_activity",
    "source_row",
)


def seed_path(*, root: Path | str | None = None) -> Path:
    """Path of the seed Parquet file under ``<data>/reference/molecules/``."""
    return data_dir(root) / "reference" / "molecules" / SEED_FILE


@lru_cache(maxsize=2)
def _load(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise ConfigurationError(
            f"molecule seed set not found at {path}; run scripts/build_molecule_seed.py"
        )
    df = pd.read_parquet(path)
    missing = [c for c in SEED_COLUMNS if c not in df.columns]
    if missing:
        raise ConfigurationError(f"{path} lacks the columns {missing}")
    for column in ("target", "activity_type", "unit", "relation"):
        df[column] = df[column].astype(str)
    return df


def load_moleculeace_seed(*, root: Path | str | None = None) -> pd.DataFrame:
    """The seed activities as a DataFrame (a fresh copy; the file is read once per process).

    Args:
        root: data directory holding ``reference/molecules/`` (default: the repository's
            ``data/``).

    Raises:
        ConfigurationError: the file is missing or lacks columns.
    """
    return _load(seed_path(root=root)).copy()
