"""Rebuild MatDiscover's compact reference data from the ``crabnet==2.0.8`` wheel.

The wheel on PyPI carries Matbench v0.1, AFLOW, OQMD and Materials Project tables as
CSV files. This script unpacks it into a temporary directory and writes

* ``data/reference/<name>.parquet`` -- one zstd Parquet file per table with columns
  ``formula`` (string, exactly as given upstream), ``target`` (float64) and, when the
  upstream table ships train/val/test files, ``split`` (concatenated in that order,
  row order preserved within each file);
* ``data/elements/<name>.parquet`` -- elemental property tables (``element`` + columns);
* ``data/PROVENANCE.md`` -- source path, upstream database, licence, rows and sha256.

Usage::

    python scripts/build_reference_data.py                 # downloads the wheel with pip
    python scripts/build_reference_data.py --wheel PATH    # uses a wheel already on disk
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from matdiscover.science.reference_sources import (
    AFLOW,
    EXPT,
    GLASS,
    MP,
    MP_CRABNET,
    OQMD,
    STEELS,
    Upstream,
)

WHEEL = "crabnet==2.0.8"
WHEEL_FILE = "crabnet-2.0.8-py3-none-any.whl"
ROOT = Path(__file__).resolve().parents[1]
REBUILD = "python scripts/build_reference_data.py [--wheel crabnet-2.0.8-py3-none-any.whl]"


@dataclass(frozen=True)
class Table:
    name: str
    source: str  # path inside crabnet/data/, a .csv file or a folder of train/val/test
    upstream: Upstream
    description: str


TABLES: tuple[Table, ...] = (
    Table("mp_e_form", "matbench/mp_e_form.csv", MP, "formation energy, eV/atom (legacy MP corr.)"),
    Table("mp_gap", "matbench/mp_gap.csv", MP, "PBE band gap, eV"),
    Table("mp_log10_k_vrh", "matbench/elasticity_log10(K_VRH).csv", MP, "log10 K_VRH / GPa"),
    Table("mp_log10_g_vrh", "matbench/elasticity_log10(G_VRH).csv", MP, "log10 G_VRH / GPa"),
    Table("expt_gap", "matbench/expt_gap.csv", EXPT, "experimental band gap, eV"),
    Table("expt_is_metal", "matbench/expt_is_metal.csv", EXPT, "1 if metallic (expt)"),
    Table("steels_yield", "matbench/steels_yield.csv", STEELS, "yield strength, MPa"),
    Table("glass", "matbench/glass.csv", GLASS, "1 if glass former (melt spinning)"),
    Table("mp_e_hull", "benchmark_data/mp_e_hull", MP_CRABNET, "energy above hull, eV/atom"),
    Table("mp_bulk_modulus", "benchmark_data/mp_bulk_modulus", MP_CRABNET, "K_VRH, GPa"),
    Table("mp_shear_modulus", "benchmark_data/mp_shear_modulus", MP_CRABNET, "G_VRH, GPa"),
    Table("mp_mu_b", "benchmark_data/mp_mu_b", MP_CRABNET, "magnetic moment, mu_B per cell"),
    Table(
        "aflow_debye_temperature",
        "benchmark_data/aflow__ael_debye_temperature",
        AFLOW,
        "AEL Debye temperature, K",
    ),
    Table(
        "aflow_bulk_modulus_vrh",
        "benchmark_data/aflow__ael_bulk_modulus_vrh",
        AFLOW,
        "AEL K_VRH, GPa",
    ),
    Table(
        "aflow_shear_modulus_vrh",
        "benchmark_data/aflow__ael_shear_modulus_vrh",
        AFLOW,
        "AEL G_VRH, GPa",
    ),
    Table("aflow_egap", "benchmark_data/aflow__Egap", AFLOW, "PBE band gap, eV"),
    Table("aflow_energy_atom", "benchmark_data/aflow__energy_atom", AFLOW, "energy, eV/atom"),
    Table(
        "aflow_thermal_conductivity_300k",
        "benchmark_data/aflow__agl_thermal_conductivity_300K",
        AFLOW,
        "AGL thermal conductivity at 300 K, W/(m K)",
    ),
    Table(
        "oqmd_formation_enthalpy",
        "benchmark_data/OQMD_Formation_Enthalpy",
        OQMD,
        "formation enthalpy, eV/atom",
    ),
    Table("oqmd_bandgap", "benchmark_data/OQMD_Bandgap", OQMD, "band gap, eV"),
)

ELEMENT_TABLES = ("magpie", "mat2vec", "oliynyk")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _read(src: Path) -> pd.DataFrame:
    if src.is_file():
        frame = pd.read_csv(src, keep_default_na=False)
        return frame.loc[:, ["formula", "target"]]
    parts = []
    for split in ("train", "val", "test"):
        path = src / f"{split}.csv"
        if path.exists():
            part = pd.read_csv(path, keep_default_na=False).loc[:, ["formula", "target"]]
            part["split"] = split
            parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _write(frame: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    # Deterministic bytes: no pandas metadata with ranges that could vary, fixed writer.
    table = table.replace_schema_metadata(None)
    pq.write_table(table, path, compression="zstd", compression_level=19, use_dictionary=True)


def _download(dest: Path) -> Path:
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--python-version",
        "3.9",
        "-d",
        str(dest),
        WHEEL,
    ]
    subprocess.run(cmd, check=True)
    return dest / WHEEL_FILE


def build(wheel: Path | None, out: Path) -> None:
    ref_dir, el_dir = out / "reference", out / "elements"
    ref_dir.mkdir(parents=True, exist_ok=True)
    el_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        wheel_path = wheel if wheel is not None else _download(tmp)
        wheel_sha = _sha256(wheel_path)
        with zipfile.ZipFile(wheel_path) as zf:
            zf.extractall(tmp / "wheel")
        base = tmp / "wheel" / "crabnet" / "data"
        rows: list[str] = []
        for t in TABLES:
            frame = _read(base / t.source)
            frame["formula"] = frame["formula"].astype(str)
            frame["target"] = pd.to_numeric(frame["target"]).astype("float64")
            dest = ref_dir / f"{t.name}.parquet"
            _write(frame, dest)
            splits = ""
            if "split" in frame:
                counts = frame["split"].value_counts()
                splits = " / ".join(f"{k} {counts[k]}" for k in ("train", "val", "test"))
            rows.append(
                f"### `{t.name}`\n\n"
                f"- file: `data/reference/{t.name}.parquet` ({dest.stat().st_size:,} bytes)\n"
                f"- target: {t.description}\n"
                f"- source: `crabnet/data/{t.source}` in `{WHEEL_FILE}`\n"
                f"- upstream: {t.upstream.upstream}\n"
                f"- licence: {t.upstream.licence}\n"
                f"- rows: {len(frame):,}" + (f" (split: {splits})" if splits else "") + "\n"
                f"- sha256: `{_sha256(dest)}`\n"
            )
            print(f"{t.name:34s} {len(frame):>8,d} rows {dest.stat().st_size:>10,d} B")
        el_rows: list[str] = []
        for name in ELEMENT_TABLES:
            frame = pd.read_csv(base / "element_properties" / f"{name}.csv")
            frame = frame.rename(columns={frame.columns[0]: "element"})
            frame.columns = [str(c) for c in frame.columns]
            dest = el_dir / f"{name}.parquet"
            _write(frame, dest)
            el_rows.append(
                f"- `data/elements/{name}.parquet`: `crabnet/data/element_properties/{name}.csv`, "
                f"{len(frame)} elements x {frame.shape[1] - 1} properties, "
                f"sha256 `{_sha256(dest)}`\n"
            )
    text = (
        "# Provenance of MatDiscover reference data\n\n"
        f"All files were extracted from the PyPI wheel `{WHEEL_FILE}` ({WHEEL}, "
        f"sha256 `{wheel_sha}`), which bundles the datasets used in the CrabNet paper "
        "(Wang, Kauwe, Murdock & Sparks, npj Comput. Mater. 7, 77 (2021)).\n\n"
        f"Rebuild: `{REBUILD}`\n\n"
        "Columns: `formula` exactly as in the source (unreduced for Matbench tables, so "
        "polymorphs appear as separate rows), `target` (float64), and `split` "
        "(`train`/`val`/`test`, upstream CrabNet split, concatenated in that order) when the "
        "source ships split files. Row order is preserved.\n\n"
        "Energy convention: `mp_e_form` labels follow the Materials Project's legacy "
        "(pre-2020) correction scheme, without anion corrections for Br, I, Se, Te, Sb. "
        "`mp_e_hull` comes from a different (CrabNet-curated) MP snapshot; do not mix its "
        "hull with `mp_e_form` energies without checking the convention.\n\n"
        "Licences are stated as far as known from the upstream projects; where the wheel "
        "carries no licence statement this is said explicitly.\n\n"
        "Model artifacts under `data/models/` are not built by this script; each carries its "
        "own `card.json` / `card.md` naming the table and sha256 it was trained on.\n\n"
        "## Reference tables\n\n" + "\n".join(rows) + "\n## Element tables\n\n" + "".join(el_rows)
    )
    (out / "PROVENANCE.md").write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, default=None, help="crabnet 2.0.8 wheel on disk")
    parser.add_argument("--out", type=Path, default=ROOT / "data", help="data directory")
    args = parser.parse_args(argv)
    build(args.wheel, args.out)


if __name__ == "__main__":
    main()
