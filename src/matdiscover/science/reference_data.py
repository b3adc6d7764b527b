"""Bundled reference datasets (Matbench v0.1 / Materials Project, AFLOW, OQMD, experiment).

The tables live in the repository's ``data/`` directory as zstd Parquet files built by
``scripts/build_reference_data.py`` from the ``crabnet==2.0.8`` wheel; ``data/PROVENANCE.md``
records source, licence, row counts and checksums.

Every reference table has the columns ``formula`` (as given upstream, unreduced),
``target`` (float, unit in PROVENANCE.md) and, for tables shipped with an upstream
train/val/test split, ``split``.

Example:
    >>> from matdiscover.science.reference_data import load_table
    >>> df = load_table("mp_e_form")  # formation energies, eV/atom
    >>> list(df.columns)
    ['formula', 'target']
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from matdiscover.errors import ConfigurationError, NotFound

__all__ = ["data_dir", "list_element_tables", "list_tables", "load_element_table", "load_table"]

_REPO_DATA = Path(__file__).resolve().parents[3] / "data"


def data_dir(override: Path | str | None = None) -> Path:
    """Return the directory holding ``reference/`` and ``elements/``.

    Args:
        override: explicit data directory; when ``None`` the ``data/`` directory of the
            source checkout (``<repo>/data``, found relative to this file, which works for
            editable installs) is used.

    Raises:
        ConfigurationError: the directory does not contain ``reference/``.
    """
    path = Path(override) if override is not None else _REPO_DATA
    if not (path / "reference").is_dir():
        raise ConfigurationError(
            f"reference data not found under {path}; run scripts/build_reference_data.py"
        )
    return path


def list_tables(*, root: Path | str | None = None) -> list[str]:
    """Names of the bundled reference tables, sorted (e.g. ``"mp_e_form"``)."""
    return sorted(p.stem for p in (data_dir(root) / "reference").glob("*.parquet"))


def list_element_tables(*, root: Path | str | None = None) -> list[str]:
    """Names of the bundled element-property tables (e.g. ``"magpie"``)."""
    return sorted(p.stem for p in (data_dir(root) / "elements").glob("*.parquet"))


@lru_cache(maxsize=32)
def _read(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path)


def _load(kind: str, name: str, root: Path | str | None) -> pd.DataFrame:
    path = data_dir(root) / kind / f"{name}.parquet"
    if not path.is_file() or "/" in name or "\\" in name:
        raise NotFound(f"no {kind} table named {name!r}")
    # Return a copy so callers may mutate freely without poisoning the cache.
    return _read(path.resolve()).copy()


def load_table(name: str, *, root: Path | str | None = None) -> pd.DataFrame:
    """Load a reference table by name.

    Args:
        name: table name from :func:`list_tables`, e.g. ``"mp_e_form"`` (eV/atom),
            ``"mp_gap"`` (eV), ``"mp_e_hull"`` (eV/atom).
        root: optional data directory overriding :func:`data_dir`.

    Returns:
        A fresh DataFrame with ``formula``, ``target`` and possibly ``split``.

    Raises:
        NotFound: no table of that name.
    """
    return _load("reference", name, root)


def load_element_table(name: str, *, root: Path | str | None = None) -> pd.DataFrame:
    """Load an element-property table (``element`` column + one column per property).

    Example:
        >>> float(load_element_table("magpie").set_index("element").loc["O", "Number"])
        8.0
    """
    return _load("elements", name, root)
