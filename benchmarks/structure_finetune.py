"""Fine-tuning CHGNet's energy on a group's structures with energies: does it learn another
DFT setup's energies, in at most 10 minutes on this machine?

Data (synthetic, seeded): Materials Project parents of 2-20 sites from
``data/reference/known_structures.parquet`` (elements from a pool of 24 common ones, so
elements recur across parents; stratified by anion class), ``--frames`` perturbed frames
each (every atom displaced 0.05-0.1 Å in a random direction, random symmetric strain of
up to ±2 % per component). Labels mimic a different DFT setup:

- ``shift`` (the done-when scenario): the shipped CHGNet's energy and forces plus a known
  per-element energy shift (table in the JSON: O -0.3, N -0.2, halogens and chalcogens
  -0.1..-0.15 eV/atom, transition metals +0.1..+0.2, others ±0.05, seeded);
- ``shift+pair`` (``--pair``): additionally a smooth pairwise attraction (ASE's
  Lennard-Jones with sigma 0.8 Å, attractive beyond 0.9 Å, epsilon 0.5 eV, cutoff 6 Å:
  0 to -0.13 eV/atom, mean |force| about 0.05 eV/Å; energies *and* forces), a
  structure-dependent difference like a dispersion correction, which per-element offsets
  absorb only in part.

The frames are written to an extxyz file and read back with ``read_energy_frames`` (the
platform's input path). Whole parents are held out (``holdout_split``, 20 %, seed 0).
Settings (learning rate, epochs) are chosen on a validation split carved from the
training parents only (``--select``); the held-out parents are used once, for the report.

Reported: held-out energy MAE (eV/atom) and force MAE (eV/Å) of the shipped CHGNet, of
the shipped CHGNet with only the refitted per-element offsets (``atom_ref_only``) and of the
fine-tuned candidate; wall time of the fine-tune (must be <= 600 s).

What it does not show: the labels come from the same potential plus a known shift (and
pair term), not from a real different-DFT data set; real differences are not exactly
per-element, and frames of one parent here are close relatives.

Run:  nice -n 5 .venv/bin/python benchmarks/structure_finetune.py [--select] [--unfrozen]
Writes benchmarks/results/structure_finetune.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results" / "structure_finetune.json"
POOL = [
    "H",
    "Li",
    "B",
    "C",
    "N",
    "O",
    "F",
    "Na",
    "Mg",
    "Al",
    "Si",
    "P",
    "S",
    "Cl",
    "K",
    "Ca",
    "Ti",
    "V",
    "Cr",
    "Mn",
    "Fe",
    "Co",
    "Ni",
    "Cu",
    "Zn",
    "Ga",
    "Sr",
    "Zr",
    "Ba",
]
TRANSITION = {"Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Zr"}
FIXED_SHIFT = {"O": -0.3, "N": -0.2, "F": -0.15, "Cl": -0.12, "S": -0.1, "H": -0.05}
PAIR = {"sigma": 0.8, "epsilon": 0.5, "rc": 6.0, "smooth": True}


def shift_table(seed: int) -> dict[str, float]:
    """Per-element energy shift (eV per atom of the element) of the other DFT setup."""
    rng = np.random.default_rng(seed)
    table = {}
    for el in sorted(POOL):
        if el in FIXED_SHIFT:
            table[el] = FIXED_SHIFT[el]
        elif el in TRANSITION:
            table[el] = round(float(rng.uniform(0.1, 0.2)), 3)
        else:
            table[el] = round(float(rng.uniform(-0.05, 0.05)), 3)
    return table


def pick_parents(n: int, seed: int) -> list[Any]:
    from pymatgen.core import Structure

    from matdiscover.science.models.sevennet_path.build import chemistry_class, mp_formation_rows

    rows = mp_formation_rows()
    rows = rows[rows["nsites"].between(2, 20)]
    structures = {
        sid: Structure.from_dict(json.loads(s))
        for sid, s in zip(rows["source_id"], rows["structure"], strict=True)
    }
    ok = [
        sid
        for sid, s in structures.items()
        if {e.symbol for e in s.composition} <= set(POOL) and s.is_ordered
    ]
    by_class: dict[str, list[str]] = {}
    for sid in ok:
        els = sorted(e.symbol for e in structures[sid].composition)
        by_class.setdefault(chemistry_class(els), []).append(sid)
    rng = np.random.default_rng(seed)
    for ids in by_class.values():
        rng.shuffle(ids)
    picked: list[str] = []
    seen_formulas: set[str] = set()
    while len(picked) < n:  # round robin over strata, one parent per formula
        for cls in sorted(by_class):
            while by_class[cls]:
                sid = by_class[cls].pop()
                formula = structures[sid].composition.reduced_formula
                if formula not in seen_formulas:
                    seen_formulas.add(formula)
                    picked.append(sid)
                    break
            if len(picked) == n:
                break
    return [(sid, structures[sid]) for sid in picked]


def perturb(structure: Any, rng: np.random.Generator) -> Any:
    from pymatgen.core import Lattice, Structure

    eps = rng.uniform(-0.02, 0.02, (3, 3))
    eps = (eps + eps.T) / 2
    lattice = Lattice(structure.lattice.matrix @ (np.eye(3) + eps))
    strained = Structure(lattice, structure.species, structure.frac_coords)
    direction = rng.normal(size=(len(structure), 3))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    disp = direction * rng.uniform(0.05, 0.1, (len(structure), 1))
    return Structure(
        lattice, structure.species, strained.cart_coords + disp, coords_are_cartesian=True
    )


def make_frames(
    parents: list[Any], frames: int, seed: int
) -> tuple[list[Any], list[str], list[Any]]:
    """Perturbed frames of the parents (parent id per frame) and their shipped CHGNet
    single points."""
    from matdiscover.science.models.chgnet_path import evaluate_structures

    rng = np.random.default_rng(seed)
    structures, parent_ids = [], []
    for sid, parent in parents:
        for _ in range(frames):
            structures.append(perturb(parent, rng))
            parent_ids.append(sid)
    return structures, parent_ids, evaluate_structures(structures, forces=True)


def extxyz(
    structures: list[Any], results: list[Any], shifts: dict[str, float], pair: bool
) -> bytes:
    """The labelled frames as extxyz: CHGNet + per-element shift (+ the pair term)."""
    from ase.calculators.lj import LennardJones
    from ase.calculators.singlepoint import SinglePointCalculator
    from ase.io import write
    from pymatgen.io.ase import AseAtomsAdaptor

    atoms_list = []
    for s, r in zip(structures, results, strict=True):
        atoms = AseAtomsAdaptor.get_atoms(s)
        energy = r.energy + sum(shifts[site.specie.symbol] for site in s)
        forces = np.array(r.forces)
        if pair:
            probe = atoms.copy()
            probe.calc = LennardJones(**PAIR)
            energy += float(probe.get_potential_energy())
            forces = forces + probe.get_forces()
        atoms.calc = SinglePointCalculator(atoms, energy=energy, forces=forces)
        atoms_list.append(atoms)
    buf = io.StringIO()
    write(buf, atoms_list, format="extxyz")
    return buf.getvalue().encode()


def run(frames: Any, config: Any) -> tuple[Any, float]:
    from matdiscover.science.models.chgnet_path.finetune import finetune_chgnet

    t0 = time.perf_counter()
    result = finetune_chgnet(frames, config=config)
    return result, time.perf_counter() - t0


def subset(frames: Any, index: Any) -> Any:
    from matdiscover.science.models.chgnet_path.finetune import EnergyFrames

    forces = None if frames.forces is None else tuple(frames.forces[i] for i in index)
    return EnergyFrames(
        structures=tuple(frames.structures[i] for i in index),
        energies_per_atom=frames.energies_per_atom[index],
        forces=forces,
        filename=frames.filename,
    )


def summary(result: Any, seconds: float) -> dict[str, Any]:
    return {
        "seconds": round(seconds, 1),
        "holdout": result.metrics["holdout"],
        "train": result.metrics["train"],
        "learning_curve": [asdict(p) for p in result.learning_curve],
        "warnings": result.card["warnings"],
        "trainable_parameters": result.card["trainable_parameters"],
    }


GRID = [(lr, epochs) for lr in (3e-4, 1e-3, 3e-3) for epochs in (8, 16)]


def select(frames: Any, base: Any) -> tuple[Any, dict[str, Any]]:
    """Choose the learning rate and epochs (final-epoch MAE) on validation parents carved
    from the training parents; the held-out parents are not touched."""
    from matdiscover.science.models.chgnet_path.finetune_data import holdout_split

    train, _, _ = holdout_split(frames.structures, fraction=base.holdout_fraction, seed=base.seed)
    inner = subset(frames, train)
    trials = {}
    best: tuple[float, float, int] | None = None
    for lr, epochs in GRID:
        cfg = replace(base, learning_rate=lr, epochs=epochs, seed=base.seed + 1)
        result, seconds = run(inner, cfg)
        mae = result.metrics["holdout"]["candidate"]["energy_mae"]
        trials[f"lr={lr:g},epochs={epochs}"] = {
            "validation_energy_mae": mae,
            "validation_atom_ref_only": result.metrics["holdout"]["atom_ref_only"]["energy_mae"],
            "validation_shipped": result.metrics["holdout"]["shipped"]["energy_mae"],
            "curve": [round(p.holdout_mae, 5) for p in result.learning_curve],
            "seconds": round(seconds, 1),
        }
        if best is None or mae < best[0]:
            best = (mae, lr, epochs)
        print(f"  validation lr {lr:g}, {epochs} epochs: energy MAE {mae:.4f} ({seconds:.0f} s)")
    assert best is not None
    chosen = replace(base, learning_rate=best[1], epochs=best[2])
    return chosen, {
        "how": "validation parents: 20 % of the training parents (inner split seed "
        f"{base.seed + 1}), final-epoch energy MAE; the held-out parents are not used",
        "validation_frames": int(len(inner)),
        "trials": trials,
        "chosen": {"learning_rate": best[1], "epochs": best[2]},
    }


def read_back(data: bytes) -> Any:
    """Through the platform's input path: a file in a temp dir, ``read_energy_frames``."""
    from matdiscover.science.models.chgnet_path.finetune import read_energy_frames

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "frames.extxyz"
        path.write_bytes(data)
        return read_energy_frames(path.read_bytes(), path.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="CHGNet energy fine-tune on synthetic frames")
    parser.add_argument("--parents", type=int, default=36)
    parser.add_argument("--frames", type=int, default=5, help="perturbed frames per parent")
    parser.add_argument("--pair", action="store_true", help="also the shift+pair scenario")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--lr", type=float, default=None)
    parser.add_argument("--select", action="store_true", help="choose lr/epochs on validation")
    parser.add_argument("--unfrozen", action="store_true", help="also the unfrozen variant")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    from matdiscover.science.models.chgnet_path.finetune import StructureFineTuneConfig
    from matdiscover.science.models.chgnet_path.finetune_data import holdout_split

    load0 = os.getloadavg()
    shifts = shift_table(args.seed)
    parents = pick_parents(args.parents, args.seed)
    t0 = time.perf_counter()
    structures, parent_ids, chgnet = make_frames(parents, args.frames, args.seed)
    scenarios = {"shift": read_back(extxyz(structures, chgnet, shifts, pair=False))}
    if args.pair:
        scenarios["shift+pair"] = read_back(extxyz(structures, chgnet, shifts, pair=True))
    label_seconds = time.perf_counter() - t0
    frames = scenarios["shift"]
    print(f"{len(frames)} frames of {len(parents)} parents, labelled in {label_seconds:.0f} s")

    base = StructureFineTuneConfig(seed=args.seed)
    overrides = {k: v for k, v in (("epochs", args.epochs), ("learning_rate", args.lr)) if v}
    base = replace(base, **overrides)
    selection = None
    if args.select:
        base, selection = select(frames, base)
    variants = {"frozen_backbone": base}
    if args.unfrozen:
        variants["unfrozen"] = replace(base, freeze_backbone=False)
    results: dict[str, Any] = {}
    for scenario, data in scenarios.items():
        for name, cfg in variants.items():
            result, seconds = run(data, cfg)
            results[f"{scenario}/{name}"] = {"config": asdict(cfg), **summary(result, seconds)}
            hold = result.metrics["holdout"]
            print(
                f"{scenario}/{name}: held-out energy MAE shipped "
                f"{hold['shipped']['energy_mae']:.4f}, atom_ref_only "
                f"{hold['atom_ref_only']['energy_mae']:.4f}, candidate "
                f"{hold['candidate']['energy_mae']:.4f} eV/atom; force MAE shipped "
                f"{hold['shipped']['force_mae']:.4f}, candidate "
                f"{hold['candidate']['force_mae']:.4f} eV/Å; {hold['frames']} held-out "
                f"frames; fine-tune {seconds:.0f} s"
            )
    _, hold_ix, how = holdout_split(
        frames.structures, fraction=base.holdout_fraction, seed=base.seed
    )
    res = {
        "benchmark": "structure_finetune",
        "base_model": "CHGNet 0.3.0 (bundled weights)",
        "data": {
            "parents": [sid for sid, _ in parents],
            "parents_held_out": sorted({parent_ids[i] for i in hold_ix}),
            "frames": len(frames),
            "frames_held_out": len(hold_ix),
            "frames_per_parent": args.frames,
            "mean_atoms": round(frames.num_atoms / len(frames), 2),
            "elements": frames.elements,
            "source": "data/reference/known_structures.parquet (materials_project rows)",
            "perturbation": "each atom 0.05-0.1 Å in a random direction; symmetric strain "
            "with components uniform in ±0.02; seeded",
            "labels": {
                "shift": "shipped CHGNet energy and forces + per-element shift",
                "shift+pair": "as shift + Lennard-Jones pair term (energy and forces) "
                + json.dumps(PAIR),
            },
            "shift_eV_per_atom_of_element": shifts,
            "input_path": "written to extxyz in a temp dir, read with read_energy_frames",
            "split": f"whole parents held out ({how}, fraction {base.holdout_fraction}, "
            f"seed {base.seed})",
            "labelling_seconds": round(label_seconds, 1),
        },
        "settings_selection": selection
        or "not run (--select); defaults of StructureFineTuneConfig or command line",
        "settings_applied_to": "every scenario and variant (selected on the shift scenario "
        "with a frozen backbone; the unfrozen variant uses backbone_learning_rate "
        f"{base.backbone_learning_rate:g})",
        "results": results,
        "done_when": {
            "criterion": "held-out energy MAE of the fine-tune below the shipped model's "
            "(shift scenario, frozen backbone), fine-tune <= 600 s",
            "met": (
                (r := results["shift/frozen_backbone"])["holdout"]["candidate"]["energy_mae"]
                < r["holdout"]["shipped"]["energy_mae"]
                and r["seconds"] <= 600
            ),
        },
        "does_not_show": [
            "labels are the shipped potential plus a known per-element shift (and, in the "
            "shift+pair scenario, a known pair term): not a real different-DFT data set",
            "an exact per-element shift is what the AtomRef refit absorbs in closed form; "
            "real setups also differ in structure-dependent ways, where the gradient part "
            "matters more and gains are smaller",
            "frames of a parent are close perturbations of one MP structure (near-equilibrium)",
            "timings on a shared 2-core VM, one thread",
        ],
        "threads": 1,
        "load_average_start": list(load0),
        "load_average_end": list(os.getloadavg()),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, indent=1) + "\n")
    print(f"done-when met: {res['done_when']['met']}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
