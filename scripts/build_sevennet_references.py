"""Build the SevenNet elemental references, σ model and calibration (issue 15).

Stages (``--stage``):

- ``energies --model M``: raw single-point SevenNet energies (eV/atom, no relaxation) of every
  shipped Materials Project structure that has a formation energy (``flla_2015`` rows of
  ``data/reference/known_structures.parquet``), written to
  ``data/sevennet_references/raw_energies_<M>.json``. About 0.1 s (7net-0) and 0.3 s
  (7net-l3i5) per structure on one thread; run the two models in parallel.
- ``fit``: split, fit the references, calibrate σ, write ``references.json`` and the model cards
  (see :mod:`matdiscover.science.models.sevennet_path.build`).

    OMP_NUM_THREADS=1 nice -n 5 .venv/bin/python scripts/build_sevennet_references.py \\
        --stage energies --model 7net-0 &
    OMP_NUM_THREADS=1 nice -n 5 .venv/bin/python scripts/build_sevennet_references.py \\
        --stage energies --model 7net-l3i5
    .venv/bin/python scripts/build_sevennet_references.py --stage fit
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")


def energies(model: str, out_dir: str, *, reverse: bool = False) -> None:
    from pymatgen.core import Structure

    from matdiscover.errors import InvalidStructure
    from matdiscover.science.models.sevennet_path.build import mp_formation_rows
    from matdiscover.science.models.sevennet_path.evaluate import evaluate_energies

    rows = mp_formation_rows()
    main_path = os.path.join(out_dir, f"raw_energies_{model}.json")
    path = main_path + ".reverse" if reverse else main_path
    done: dict[str, float | None] = {}
    skip: set[str] = set()
    for p in (main_path, main_path + ".reverse"):
        if os.path.exists(p):  # resume; a reverse helper skips what the main run has
            with open(p) as fh:
                part = json.load(fh)["energies"]
            skip |= set(part)
            if p == path:
                done = part
    if reverse:
        rows = rows.iloc[::-1]
    t0 = time.time()
    for k, row in enumerate(rows.itertuples(index=False)):
        if row.source_id in done or row.source_id in skip:
            continue
        if reverse and k % 20 == 0 and _taken_by_main(main_path, row.source_id):
            break
        s = Structure.from_dict(json.loads(row.structure))
        try:
            done[row.source_id] = round(evaluate_energies([s], model)[0], 6)
        except InvalidStructure as exc:
            logging.warning("%s: %s", row.source_id, exc)
            done[row.source_id] = None
        if k % 200 == 0:
            print(f"{model}: {k}/{len(rows)} {time.time() - t0:.0f} s", flush=True)
            _write(path, model, done)
    _write(path, model, done)
    print(f"{model}: {len(done)} energies in {time.time() - t0:.0f} s")


def _taken_by_main(main_path: str, source_id: str) -> bool:
    with open(main_path) as fh:
        return source_id in json.load(fh)["energies"]


def merge(model: str, out_dir: str) -> None:
    """Fold a ``--reverse`` helper's file into the main one."""
    main_path = os.path.join(out_dir, f"raw_energies_{model}.json")
    with open(main_path) as fh:
        done = json.load(fh)["energies"]
    if os.path.exists(main_path + ".reverse"):
        with open(main_path + ".reverse") as fh:
            done.update(json.load(fh)["energies"])
        _write(main_path, model, done)
        os.remove(main_path + ".reverse")


def _write(path: str, model: str, done: dict[str, float | None]) -> None:
    from matdiscover.science.models.sevennet_path._model import sevenn_version

    payload = {
        "model": model,
        "sevenn_version": sevenn_version(),
        "unit": "eV/atom, raw (uncorrected) SevenNet single point of the shipped MP structure",
        "energies": dict(sorted(done.items())),
    }
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(payload, fh, indent=0)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stage", choices=["energies", "merge", "fit"], required=True)
    parser.add_argument(
        "--reverse", action="store_true", help="a second process working from the end"
    )
    parser.add_argument("--model", default="7net-0")
    parser.add_argument("--out", default="data/sevennet_references")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.stage == "energies":
        energies(args.model, args.out, reverse=args.reverse)
    elif args.stage == "merge":
        merge(args.model, args.out)
    else:
        from matdiscover.science.models.sevennet_path.build import fit_and_write

        fit_and_write(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
