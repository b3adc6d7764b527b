"""Build data/reference/known_structures.parquet: real crystal structures of known compounds.

Sources (read at build time only; nothing is downloaded at run time):

1. Materials Project structures and properties from the four CSVs in the matminer 0.4.2
   *source* archive (``flla_2015``, ``elastic_tensor``, ``dielectric_constant``,
   ``piezoelectric_tensor``), merged per mp-id. The archive is fetched with
   ``pip download --no-deps --no-binary :all: matminer==0.4.2`` unless ``--sdist`` is
   given; matminer is never installed.
2. The 288 AFLOW prototypes shipped in pymatgen
   (``pymatgen/analysis/prototypes/aflow_prototypes.json.gz``).
3. The elemental crystals of ASE's ``dcdft`` collection.

Each row gets the platform's own symmetry (``science.structures.symmetry``, default
symprec) and, unless ``--no-embeddings``, the 64-d CHGNet crystal features computed as for
uploads (``evaluate_structures(..., forces=False).crystal_features``). Rows are sorted by
(source_database, source_id), so rebuilds are byte-stable.

Run (2 cores shared: torch pinned to 1 thread, niced):
    nice -n 5 .venv/bin/python scripts/build_known_structures.py [--sdist PATH]
        [--out data/reference/known_structures.parquet] [--no-embeddings]
"""

from __future__ import annotations

import argparse
import ast
import gzip
import hashlib
import importlib.resources
import io
import json
import math
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from pymatgen.core import Structure  # noqa: E402
from pymatgen.io.vasp import Poscar  # noqa: E402

from matdiscover.errors import InvalidStructure  # noqa: E402
from matdiscover.science.known_structures import (  # noqa: E402
    EMBEDDING_DIM,
    MP_TABLES,
    compact_structure_dict,
)
from matdiscover.science.structures.symmetry import DEFAULT_SYMPREC, analyze_symmetry  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "data" / "reference" / "known_structures.parquet"
MATMINER = "matminer==0.4.2"
PROTOTYPES = "analysis/prototypes/aflow_prototypes.json.gz"
CHUNK = 64  # structures per evaluate_structures call (CHGNet batches of 16 inside)

# (source column, property key, validity check) per MP table
Check = Callable[[float], bool]
_POSITIVE: Check = lambda x: x > 0  # noqa: E731
_NON_NEGATIVE: Check = lambda x: x >= 0  # noqa: E731
_ANY: Check = lambda x: True  # noqa: E731
MP_PROPERTIES: dict[str, list[tuple[str, str, Check]]] = {
    "flla_2015": [
        ("formation_energy_per_atom", "formation_energy", _ANY),
        ("e_above_hull", "energy_above_hull", _NON_NEGATIVE),
    ],
    "elastic_tensor": [
        ("K_VRH", "bulk_modulus", _POSITIVE),
        ("G_VRH", "shear_modulus", _POSITIVE),
    ],
    "dielectric_constant": [
        ("band_gap", "band_gap", _NON_NEGATIVE),
        ("n", "refractive_index", lambda x: x >= 1),
        ("poly_total", "dielectric_constant", lambda x: x >= 1),
    ],
    "piezoelectric_tensor": [("eij_max", "piezoelectric_modulus", _NON_NEGATIVE)],
}
assert tuple(MP_PROPERTIES) == MP_TABLES


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_sdist(dest: Path) -> Path:
    """``pip download`` the matminer source archive (no install, no dependencies)."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
    subprocess.run([*cmd, MATMINER, "-d", str(dest)], check=True)
    [sdist] = sorted(dest.glob("matminer-0.4.2.tar.gz"))
    return sdist


def read_mp_tables(sdist: Path) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    """Each table's ``# ref:`` citation and its rows, read from the sdist.

    Read with pandas as matminer's own loaders do: three of the files carry one more
    field per row than header names (a leading index), which pandas takes as the index.
    """
    out: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    with tarfile.open(sdist, "r:gz") as tar:
        for stem in MP_TABLES:
            fh = tar.extractfile(f"matminer-0.4.2/matminer/datasets/{stem}.csv")
            assert fh is not None
            text = fh.read().decode("utf-8")
            first = text.split("\n", 1)[0].strip()
            assert first.startswith("# ref:"), (stem, first)
            frame = pd.read_csv(io.StringIO(text), skiprows=1)
            out[stem] = (first.removeprefix("# ref:").strip(), frame.to_dict("records"))
    return out


def _float(text: Any) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def mp_entries(tables: dict[str, tuple[str, list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    """One entry per mp-id with every property of every table it appears in.

    The structure comes from the first table holding the id (``flla_2015`` stores a
    pymatgen dict; the others a POSCAR, read as matminer's own loaders do).
    """
    merged: dict[str, dict[str, Any]] = {}
    for stem in MP_TABLES:
        for row in tables[stem][1]:
            mp_id = str(row["material_id"]).strip()
            entry = merged.setdefault(mp_id, {"tables": [], "properties": {}, "raw": None})
            entry["tables"].append(stem)
            if entry["raw"] is None:
                entry["raw"] = (stem, row["structure"] if stem == "flla_2015" else row["poscar"])
            for column, key, ok in MP_PROPERTIES[stem]:
                value = _float(row[column])
                if value is not None and ok(value):
                    entry["properties"][key] = round(value, 6)
    out = []
    for mp_id, entry in merged.items():
        stem, raw = entry["raw"]
        if stem == "flla_2015":
            structure = Structure.from_dict(ast.literal_eval(raw))
        else:
            structure = Poscar.from_str(raw).structure
        out.append(
            {
                "source_database": "materials_project",
                "source_id": mp_id,
                "source_tables": ",".join(entry["tables"]),
                "label": "",
                "structure": structure,
                "properties": dict(sorted(entry["properties"].items())),
            }
        )
    return out


def prototype_entries() -> tuple[list[dict[str, Any]], str]:
    """The AFLOW prototypes shipped in pymatgen, and the sha256 of their json.gz.

    ``source_id`` is the AFLOW label; the few labels shared by several prototypes (same
    label, different parameters, e.g. marcasite and CaCl2 for ``AB2_oP6_58_a_g``) get
    ``.<reduced formula>`` appended so ids stay unique.
    """
    resource = importlib.resources.files("pymatgen") / PROTOTYPES
    raw = resource.read_bytes()
    items = json.loads(gzip.decompress(raw))
    labels = [item["tags"]["aflow"] for item in items]
    out = []
    for item, aflow in zip(items, labels, strict=True):
        structure = Structure.from_dict(item["snl"])
        formula = structure.composition.reduced_formula
        tags = item["tags"]
        name = ", ".join(p for p in (formula, tags.get("mineral", "").strip()) if p)
        sb = tags.get("strukturbericht", "None")
        label = f"{name} ({sb}) prototype" if sb and sb != "None" else f"{name} prototype"
        out.append(
            {
                "source_database": "aflow_prototypes",
                "source_id": aflow if labels.count(aflow) == 1 else f"{aflow}.{formula}",
                "source_tables": "aflow_prototypes",
                "label": label,
                "structure": structure,
                "properties": {},
            }
        )
    return out, hashlib.sha256(raw).hexdigest()


def dcdft_entries() -> list[dict[str, Any]]:
    """ASE's Delta-test elemental crystals (``ase.collections.dcdft``)."""
    from ase.collections import dcdft
    from pymatgen.io.ase import AseAtomsAdaptor

    out = []
    for name in dcdft.names:
        structure = AseAtomsAdaptor.get_structure(dcdft[name])
        structure = Structure.from_sites(structure.sites)  # drop ASE magmoms/properties
        out.append(
            {
                "source_database": "ase_dcdft",
                "source_id": f"dcdft:{name}",
                "source_tables": "dcdft",
                "label": f"{name}, elemental crystal of the Delta test (dcdft)",
                "structure": structure,
                "properties": {},
            }
        )
    return out


def finish(entry: dict[str, Any]) -> dict[str, Any]:
    """Compact + round the structure, then classify the stored (rounded) structure."""
    compact = compact_structure_dict(entry["structure"].as_dict())
    structure = Structure.from_dict(compact)
    sym = analyze_symmetry(structure, symprec=DEFAULT_SYMPREC)
    composition = structure.composition
    return {
        "source_database": entry["source_database"],
        "source_id": entry["source_id"],
        "source_tables": entry["source_tables"],
        "label": entry["label"],
        "formula": composition.formula,
        "reduced_formula": composition.reduced_formula,
        "nsites": len(structure),
        "space_group_number": sym.space_group_number,
        "space_group_symbol": sym.space_group_symbol,
        "crystal_system": sym.crystal_system,
        "structure": json.dumps(compact, separators=(",", ":")),
        "properties": json.dumps(entry["properties"], separators=(",", ":"), sort_keys=True),
        "_structure": structure,
    }


def embed(structures: list[Structure]) -> list[list[float] | None]:
    """CHGNet crystal features (64) per structure, as the platform computes for uploads."""
    import torch

    from matdiscover.science.models.chgnet_path import check_structure, evaluate_structures

    torch.set_num_threads(1)
    out: list[list[float] | None] = [None] * len(structures)
    ok = []
    for i, s in enumerate(structures):
        try:
            check_structure(s)
            ok.append(i)
        except InvalidStructure:
            continue
    start = time.perf_counter()
    done = 0
    for lo in range(0, len(ok), CHUNK):
        idx = ok[lo : lo + CHUNK]
        try:
            results = [
                r.crystal_features
                for r in evaluate_structures([structures[i] for i in idx], forces=False)
            ]
        except InvalidStructure:  # an isolated atom somewhere: go one by one
            results = []
            for i in idx:
                try:
                    [r] = evaluate_structures([structures[i]], forces=False)
                    results.append(r.crystal_features)
                except InvalidStructure:
                    results.append(None)
        for i, feats in zip(idx, results, strict=True):
            if feats is not None:
                assert len(feats) == EMBEDDING_DIM
                out[i] = [float(x) for x in feats]
        done += len(idx)
        if done % 320 < CHUNK or done == len(ok):
            rate = done / (time.perf_counter() - start)
            print(f"  embedded {done:,}/{len(ok):,} ({rate:.1f} structures/s)", flush=True)
    return out


def write_table(rows: list[dict[str, Any]], out: Path) -> None:
    schema = pa.schema(
        [
            ("source_database", pa.string()),
            ("source_id", pa.string()),
            ("source_tables", pa.string()),
            ("label", pa.string()),
            ("formula", pa.string()),
            ("reduced_formula", pa.string()),
            ("nsites", pa.int32()),
            ("space_group_number", pa.int16()),
            ("space_group_symbol", pa.string()),
            ("crystal_system", pa.string()),
            ("structure", pa.string()),
            ("properties", pa.string()),
            ("structure_embedding", pa.list_(pa.float32())),
        ]
    )
    columns = {name: [row[name] for row in rows] for name in schema.names}
    columns["structure_embedding"] = [
        None if e is None else np.asarray(e, dtype=np.float32)
        for e in columns["structure_embedding"]
    ]
    table = pa.Table.from_pydict(columns, schema=schema)
    out.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, out, compression="zstd", compression_level=19, row_group_size=2048)


def _count(values: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdist", type=Path, help="matminer-0.4.2.tar.gz (else pip download)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--no-embeddings", action="store_true", help="leave embeddings null")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        sdist = args.sdist or fetch_sdist(Path(tmp))
        print(f"matminer sdist {sdist.name} sha256 {sha256_file(sdist)}")
        tables = read_mp_tables(sdist)
    for stem, (ref, rows) in tables.items():
        print(f"  {stem}: {len(rows):,} rows; ref: {ref}")
    prototypes, proto_sha = prototype_entries()
    print(f"pymatgen {PROTOTYPES} sha256 {proto_sha}")
    entries = mp_entries(tables) + prototypes + dcdft_entries()
    entries.sort(key=lambda e: (e["source_database"], e["source_id"]))
    ids = [e["source_id"] for e in entries]
    assert len(set(ids)) == len(ids), "source_id must be unique"

    start = time.perf_counter()
    rows = [finish(e) for e in entries]
    print(f"symmetry of {len(rows):,} structures in {time.perf_counter() - start:.0f} s")
    if args.no_embeddings:
        embeddings: list[list[float] | None] = [None] * len(rows)
    else:
        start = time.perf_counter()
        embeddings = embed([row["_structure"] for row in rows])
        print(f"CHGNet features in {time.perf_counter() - start:.0f} s")
    for row, emb in zip(rows, embeddings, strict=True):
        row["structure_embedding"] = emb

    write_table(rows, args.out)
    print(f"rows per source: {_count(r['source_database'] for r in rows)}")
    print(f"distinct reduced formulas: {len({r['reduced_formula'] for r in rows}):,}")
    print(f"rows with embeddings: {sum(e is not None for e in embeddings):,}")
    print(f"no space group: {sum(r['space_group_number'] is None for r in rows)}")
    print(f"{args.out}: {args.out.stat().st_size:,} bytes, sha256 {sha256_file(args.out)}")


if __name__ == "__main__":
    main()
