"""Rebuild the molecule seed set from the ``MoleculeACE==3.0.0`` wheel.

MoleculeACE (van Tilborg, Alenicheva & Grisoni, J. Chem. Inf. Model. 62, 5938 (2022))
ships 30 curated ChEMBL bioactivity sets as ``MoleculeACE/Data/benchmark_data/
CHEMBL<target>_<Ki|EC50>.csv`` with columns ``smiles``, ``exp_mean [nM]``, ``y``
(= -log10 of the value in nM), ``cliff_mol`` and ``split``. This script downloads the wheel
with ``pip download --no-deps`` into a temporary directory (MoleculeACE is *not* a runtime
dependency), reads those CSVs and writes

* ``data/reference/molecules/moleculeace_seed.parquet`` (zstd) with the columns
  ``smiles`` (as in the source), ``target`` (ChEMBL target id), ``activity_type``
  (``Ki``/``EC50``), ``value`` (float64), ``unit`` (``nM``), ``relation`` (``=``, the source
  gives means of exact measurements), ``p_activity`` (9 - log10(value / nM)) and
  ``source_row`` (0-based data row in its CSV; the file is ``<target>_<activity_type>.csv``);
* the section between the ``moleculeace`` markers of ``data/PROVENANCE.md`` (the rest of that
  file is left as it is).

Usage::

    python scripts/build_molecule_seed.py                # downloads the wheel with pip
    python scripts/build_molecule_seed.py --wheel PATH   # uses a wheel already on disk
"""

from __future__ import annotations

import argparse
import hashlib
import io
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

REQUIREMENT = "moleculeace==3.0.0"
WHEEL_FILE = "MoleculeACE-3.0.0-py3-none-any.whl"
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "reference" / "molecules" / "moleculeace_seed.parquet"
PROVENANCE = ROOT / "data" / "PROVENANCE.md"
START, END = "<!-- moleculeace:start -->", "<!-- moleculeace:end -->"
NAME = re.compile(r"^MoleculeACE/Data/benchmark_data/(CHEMBL\d+)_(Ki|EC50)\.csv$")


def fetch_wheel(dest: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            REQUIREMENT,
            "--no-deps",
            "--quiet",
            "-d",
            str(dest),
        ],
        check=True,
    )
    return next(dest.glob("*.whl"))


def read_tables(wheel: Path) -> pd.DataFrame:
    frames = []
    with zipfile.ZipFile(wheel) as zf:
        for name in sorted(zf.namelist()):
            match = NAME.match(name)
            if not match:
                continue
            target, kind = match.groups()
            df = pd.read_csv(io.BytesIO(zf.read(name)))
            value = df["exp_mean [nM]"].astype("float64")
            p_activity = 9.0 - np.log10(value)
            # the source's own y is -log10(nM): check we read it the same way
            if not np.allclose(p_activity, df["y"] + 9.0, atol=1e-9):
                raise SystemExit(f"{name}: y does not equal -log10(exp_mean [nM])")
            frames.append(
                pd.DataFrame(
                    {
                        "smiles": df["smiles"].astype(str),
                        "target": target,
                        "activity_type": kind,
                        "value": value,
                        "unit": "nM",
                        "relation": "=",
                        "p_activity": p_activity,
                        "source_row": np.arange(len(df), dtype="int32"),
                    }
                )
            )
    if len(frames) != 30:
        raise SystemExit(f"expected 30 MoleculeACE tables, found {len(frames)}")
    return pd.concat(frames, ignore_index=True)


def write_parquet(df: pd.DataFrame) -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(df, preserve_index=False)
    for column in ("target", "activity_type", "unit", "relation"):
        index = table.schema.get_field_index(column)
        table = table.set_column(index, column, table.column(column).dictionary_encode())
    pq.write_table(table, OUT, compression="zstd", compression_level=19)


def provenance_section(df: pd.DataFrame, wheel_sha: str) -> str:
    digest = hashlib.sha256(OUT.read_bytes()).hexdigest()
    per_type = df.groupby("activity_type", observed=True).size().to_dict()
    return "\n".join(
        [
            START,
            "## Molecule seed set (`moleculeace_seed`)",
            "",
            f"- file: `data/reference/molecules/moleculeace_seed.parquet` "
            f"({OUT.stat().st_size:,} bytes), sha256 `{digest}`",
            f"- source: the 30 `MoleculeACE/Data/benchmark_data/CHEMBL*_{{Ki,EC50}}.csv` files "
            f"of the PyPI wheel `{WHEEL_FILE}` ({REQUIREMENT}, sha256 `{wheel_sha}`), "
            "project https://github.com/molML/MoleculeACE",
            "- upstream: ChEMBL bioactivities curated by MoleculeACE (van Tilborg, Alenicheva & "
            "Grisoni, J. Chem. Inf. Model. 62, 5938 (2022)); values are means of exact "
            "measurements in nM",
            "- licence: ChEMBL data CC BY-SA 3.0 (share alike; cite Zdrazil et al., Nucleic "
            "Acids Res. 52, D1180 (2024)); MoleculeACE code MIT",
            f"- rows: {len(df):,} ({', '.join(f'{k} {v:,}' for k, v in sorted(per_type.items()))})"
            f" in 30 data sets over {df['target'].nunique()} ChEMBL targets, "
            f"{df['smiles'].nunique():,} "
            "distinct SMILES",
            "- columns: `smiles`, `target` (ChEMBL target id), `activity_type`, `value`, `unit` "
            "(nM), `relation` (=), `p_activity` (= 9 - log10(value/nM)), `source_row` (0-based "
            "row of `<target>_<activity_type>.csv`)",
            "- rebuild: `python scripts/build_molecule_seed.py [--wheel "
            f"{WHEEL_FILE}]` (MoleculeACE is fetched with `pip download --no-deps`, it is not "
            "installed)",
            END,
        ]
    )


def update_provenance(section: str) -> None:
    text = PROVENANCE.read_text(encoding="utf-8") if PROVENANCE.exists() else ""
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    PROVENANCE.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, help="a MoleculeACE 3.0.0 wheel on disk")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_wheel(Path(tmp))
        wheel_sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
        df = read_tables(wheel)
    write_parquet(df)
    update_provenance(provenance_section(df, wheel_sha))
    print(f"{OUT.relative_to(ROOT)}: {len(df):,} rows, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
