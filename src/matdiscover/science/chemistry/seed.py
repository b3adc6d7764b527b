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

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
from rdkit import Chem

from matdiscover.errors import ConfigurationError
from matdiscover.science.chemistry.similarity import FingerprintIndex
from matdiscover.science.reference_data import data_dir

__all__ = [
    "SEED_COLUMNS",
    "SeedNeighbour",
    "load_moleculeace_seed",
    "nearest_seed_activities",
    "seed_path",
]

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


@dataclass(frozen=True)
class SeedNeighbour:
    """A seed compound similar to a query, with all its seed activities.

    Attributes:
        smiles: the seed SMILES (as in the source).
        similarity: ECFP4 Tanimoto similarity to the query (0-1).
        activities: ``(target, activity_type, value_nM, p_activity)`` for each seed row.
    """

    smiles: str
    similarity: float
    activities: tuple[tuple[str, str, float, float], ...]


@lru_cache(maxsize=2)
def _seed_index(path: Path) -> tuple[FingerprintIndex[str], dict[str, list[int]]]:
    df = _load(path)
    rows_by_smiles: dict[str, list[int]] = {}
    for i, smiles in enumerate(df["smiles"]):
        rows_by_smiles.setdefault(smiles, []).append(i)
    keys = list(rows_by_smiles)
    return FingerprintIndex.from_mols((Chem.MolFromSmiles(s) for s in keys), keys=keys), (
        rows_by_smiles
    )


def nearest_seed_activities(
    mol: Chem.Mol,
    *,
    k: int = 10,
    min_similarity: float = 0.3,
    root: Path | str | None = None,
) -> list[SeedNeighbour]:
    """The ``k`` seed compounds most similar to ``mol`` (ECFP4 Tanimoto >= ``min_similarity``),
    most similar first, each with its known activities.

    The fingerprint index of the 35,633 distinct seed SMILES is built on first use (about 6 s)
    and kept for the process.

    >>> from rdkit import Chem
    >>> smiles = load_moleculeace_seed()["smiles"].iloc[0]
    >>> hit = nearest_seed_activities(Chem.MolFromSmiles(smiles), k=1)[0]
    >>> hit.smiles == smiles, hit.similarity, hit.activities[0][:2]
    (True, 1.0, ('CHEMBL1862', 'Ki'))
    """
    path = seed_path(root=root)
    index, rows_by_smiles = _seed_index(path)
    df = _load(path)
    targets, kinds = df["target"].to_numpy(), df["activity_type"].to_numpy()
    values, pacts = df["value"].to_numpy(), df["p_activity"].to_numpy()
    out = []
    for hit in index.top_k(mol, k=k, min_similarity=min_similarity):
        rows = rows_by_smiles[hit.key]
        out.append(
            SeedNeighbour(
                smiles=hit.key,
                similarity=hit.similarity,
                activities=tuple(
                    (str(targets[i]), str(kinds[i]), float(values[i]), float(pacts[i]))
                    for i in rows
                ),
            )
        )
    return out
