"""Build CHGNet elemental reference energies (data/chgnet_references/references.json).

Two stages (both run by default):

``compute``  CHGNet energies of (1) elemental ground-state structures (ASE bulk reference
             states plus explicit structures for C, P, Ga, Se, Te, As, Sb, Bi, B, Sn, Mn, O2,
             Br2, I2, S) and (2) a TRAINING set of MP compounds built from standard
             prototypes (rock salt, CsCl, zinc blende, NiAs, fluorite, antifluorite, rutile,
             corundum, cubic perovskite, L1_2), lattice scaled from atomic radii and then
             CHGNet-relaxed; per formula the lowest-energy prototype is kept.  Formulas in
             ``benchmarks/structure_formation_energy.py`` are EXCLUDED (held out).
             Output: data/chgnet_references/raw_energies.json.
``fit``      Three reference variants, compared by 5-fold CV on the training compounds:
             ``physical``  μ = CHGNet elemental energies (legacy fixed N2/F2/Cl2/H2 values)
                           with the MP2020→legacy correction conversion;
             ``fit``       μ fitted by least squares to (CHGNet energy − MP E_form × N) over
                           compounds + elements (E_form = 0), negligible ridge;
             ``hybrid``    physical μ as prior, ridge-shrunk fitted residual (λ by CV).
             The variant with the lowest CV MAE is stored as ``elements``.

Run (2 cores shared: threads pinned to 1, niced):
    nice -n 5 .venv/bin/python scripts/build_chgnet_references.py [--stage compute|fit|all]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import logging
import math
import os
import sys
from collections.abc import Callable
from multiprocessing import get_context
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
from pymatgen.core import Composition, Element, Lattice, Structure  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "data" / "chgnet_references"
RAW = OUT_DIR / "raw_energies.json"
REFS = OUT_DIR / "references.json"
log = logging.getLogger("build_chgnet_references")

# --------------------------------------------------------------------------------------
# elemental structures
# --------------------------------------------------------------------------------------
LEGACY_GAS = ("H", "N", "F", "Cl")  # fixed by the legacy convention, no CHGNet energy needed
NO_STRUCTURE = {"Pm", "Po", "At", "Rn", "Fr", "Ra", "Ac", "Pa", "U", "Np", "Pu"}


def _molecular_o2() -> Structure:
    """α-O2-like cell (C2/m, a=5.403 b=3.429 c=5.086 β=132.53°), molecules ⟂ ab, d=1.21 Å."""
    lat = Lattice.from_parameters(5.403, 3.429, 5.086, 90, 132.53, 90)
    normal = np.cross(lat.matrix[0], lat.matrix[1])
    normal /= np.linalg.norm(normal)
    centers = [np.zeros(3), lat.get_cartesian_coords([0.5, 0.5, 0])]
    cart = [c + s * 0.605 * normal for c in centers for s in (1, -1)]
    return Structure(lat, ["O"] * 4, cart, coords_are_cartesian=True)


def _halogen(el: str, a: float, b: float, c: float) -> Structure:
    """I2-type molecular crystal (Cmce); coordinates of solid I2 (y=0.1543, z=0.1174)."""
    return Structure.from_spacegroup(
        "Cmce", Lattice.orthorhombic(a, b, c), [el], [[0, 0.1543, 0.1174]]
    )


def _a7(el: str, a: float, c: float, z: float) -> Structure:
    return Structure.from_spacegroup("R-3m", Lattice.hexagonal(a, c), [el], [[0, 0, z]])


def _chain(el: str, a: float, c: float, x: float) -> Structure:
    return Structure.from_spacegroup("P3_121", Lattice.hexagonal(a, c), [el], [[x, 0, 1 / 3]])


def explicit_elements() -> dict[str, list[tuple[str, Structure, bool]]]:
    """Element → [(label, structure, relax_cell)], experimental geometries (Wyckoff)."""
    graphite = Structure.from_spacegroup(
        "P6_3/mmc",
        Lattice.hexagonal(2.464, 6.711),
        ["C", "C"],
        [[0, 0, 0.25], [1 / 3, 2 / 3, 0.25]],
    )
    black_p = Structure.from_spacegroup(
        "Cmce", Lattice.orthorhombic(3.3136, 10.478, 4.3763), ["P"], [[0, 0.10168, 0.08056]]
    )
    alpha_ga = Structure.from_spacegroup(
        "Cmce", Lattice.orthorhombic(4.5192, 7.6586, 4.5258), ["Ga"], [[0, 0.1549, 0.0810]]
    )
    alpha_b = Structure.from_spacegroup(
        "R-3m",
        Lattice.hexagonal(4.908, 12.567),
        ["B", "B"],
        [[0.11886, 0.88114, 0.89133], [0.19686, 0.80314, 0.02432]],
    )
    alpha_mn = Structure.from_spacegroup(
        "I-43m",
        Lattice.cubic(8.911),
        ["Mn"] * 4,
        [[0, 0, 0], [0.3179, 0.3179, 0.3179], [0.3571, 0.3571, 0.0347], [0.0896, 0.0896, 0.2819]],
    )
    alpha_sn = Structure.from_spacegroup("Fd-3m", Lattice.cubic(6.489), ["Sn"], [[0, 0, 0]])
    return {
        "C": [("graphite", graphite, False)],
        "P": [("black P", black_p, False)],
        "Ga": [("alpha-Ga", alpha_ga, False)],
        "B": [("alpha-B12", alpha_b, False)],
        "Mn": [("alpha-Mn", alpha_mn, True)],
        "Sn": [("alpha-Sn (MP ground state)", alpha_sn, True)],
        "Se": [("trigonal Se", _chain("Se", 4.3662, 4.9536, 0.2254), False)],
        "Te": [("trigonal Te", _chain("Te", 4.4572, 5.929, 0.2636), False)],
        "S": [("trigonal S chains (S8 proxy)", _chain("S", 4.10, 4.40, 0.21), False)],
        "As": [("A7 As", _a7("As", 3.7598, 10.5475, 0.22727), False)],
        "Sb": [("A7 Sb", _a7("Sb", 4.3084, 11.274, 0.23349), False)],
        "Bi": [("A7 Bi", _a7("Bi", 4.546, 11.862, 0.2341), False)],
        "O": [("alpha-O2 molecular crystal", _molecular_o2(), False)],
        "I": [("solid I2", _halogen("I", 7.18, 4.71, 9.81), False)],
        "Br": [("solid Br2", _halogen("Br", 6.67, 4.48, 8.72), False)],
    }


def ase_element(symbol: str) -> Structure | None:
    from ase.build import bulk
    from pymatgen.io.ase import AseAtomsAdaptor

    try:
        atoms = bulk(symbol)
    except (ValueError, KeyError, NotImplementedError, RuntimeError):
        return None
    return AseAtomsAdaptor.get_structure(atoms)


# --------------------------------------------------------------------------------------
# training prototypes
# --------------------------------------------------------------------------------------
CATIONS: dict[str, list[int]] = {
    "Li": [1],
    "Na": [1],
    "K": [1],
    "Rb": [1],
    "Cs": [1],
    "Cu": [1],
    "Ag": [1],
    "Tl": [1],
    "Be": [2],
    "Mg": [2],
    "Ca": [2],
    "Sr": [2],
    "Ba": [2],
    "Zn": [2],
    "Cd": [2],
    "Hg": [2],
    "Mn": [2, 4],
    "Fe": [2, 3],
    "Co": [2],
    "Ni": [2],
    "Pb": [2, 4],
    "Sn": [2, 4],
    "Eu": [2],
    "Sc": [3],
    "Y": [3],
    "La": [3],
    "Al": [3],
    "Ga": [3],
    "In": [3],
    "B": [3],
    "Cr": [3],
    "V": [3, 4],
    "Ti": [3, 4],
    "Zr": [4],
    "Hf": [4],
    "Ge": [4],
    "Si": [4],
    "Ce": [4],
    "Th": [4],
    "Mo": [4],
    "W": [4],
    "Ir": [4],
    "Os": [4],
    "Nb": [3],
    "Ta": [3],
    "Gd": [3],
    "Nd": [3],
    "Sm": [3],
    "Lu": [3],
    "Er": [3],
    "Dy": [3],
    "Ho": [3],
    "Pr": [3],
}
ANIONS: dict[str, int] = {
    "F": 1,
    "Cl": 1,
    "Br": 1,
    "I": 1,
    "H": 1,
    "O": 2,
    "S": 2,
    "Se": 2,
    "Te": 2,
    "N": 3,
    "P": 3,
    "As": 3,
    "Sb": 3,
    "C": 4,
}
TM = {"Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", "Zr", "Nb", "Mo", "Hf", "Ta"}
INTERMETALLIC_B2 = [
    ("Fe", "Ti"),
    ("Co", "Ti"),
    ("Ru", "Al"),
    ("Pd", "Al"),
    ("Cu", "Pd"),
    ("Ag", "Mg"),
    ("Au", "Mg"),
    ("Co", "Ga"),
    ("Ni", "Ga"),
    ("Fe", "Al"),
    ("Sc", "Ag"),
    ("Y", "Cu"),
    ("Cs", "Au"),
    ("Ti", "Ni"),
    ("Ir", "Al"),
]
INTERMETALLIC_L12 = [
    ("Ni", "Ga"),
    ("Pt", "Al"),
    ("Pd", "Al"),
    ("Ni", "Mn"),
    ("Pt", "Ti"),
    ("Ir", "Ti"),
    ("Pd", "Sc"),
    ("Al", "Er"),
    ("Al", "Y"),
    ("Pt", "Zn"),
    ("Ni", "Fe"),
    ("Cu", "Pt"),
    ("Pt", "Co"),
    ("Au", "Cu"),
]
PEROVSKITE_A = {"Sr": 2, "Ba": 2, "K": 1, "Rb": 1, "Cs": 1, "Ca": 2, "La": 3, "Na": 1}
PEROVSKITE_B = {
    "Ti": 4,
    "Zr": 4,
    "Hf": 4,
    "Sn": 4,
    "Nb": 5,
    "Ta": 5,
    "V": 5,
    "Mo": 4,
    "Mn": 4,
    "Fe": 4,
    "Al": 3,
    "Ga": 3,
    "Sc": 3,
    "Mg": 2,
    "Zn": 2,
    "Ni": 2,
    "Co": 2,
    "Cd": 2,
    "Ca": 2,
    "Cr": 3,
    "In": 3,
    "Ge": 4,
    "Pb": 4,
    "Ce": 4,
}


def bond_length(a: str, b: str) -> float:
    ra, rb = Element(a).atomic_radius, Element(b).atomic_radius
    return float((ra or 1.4) + (rb or 1.4))


def training_candidates(exclude: frozenset[str]) -> list[tuple[str, str, Structure]]:
    """(reduced formula, prototype, unrelaxed structure) candidates, benchmark excluded."""
    from matdiscover.science.models.chgnet_path.prototypes import GENERIC_PROTOTYPES as G
    from matdiscover.science.models.chgnet_path.prototypes import scale_to_bond

    out: list[tuple[str, str, Structure]] = []

    def add(protos: list[str], species: list[str], bond_pair: tuple[str, str]) -> None:
        for p in protos:
            s = scale_to_bond(G[p](species), bond_length(*bond_pair))
            rf = s.composition.reduced_formula
            if rf not in exclude:
                out.append((rf, p, s))

    for cat, charges in CATIONS.items():
        for q in charges:
            for an, p in ANIONS.items():
                if cat == an:
                    continue
                pair = (cat, an)
                if q == p:
                    protos = ["rocksalt", "zincblende"]
                    if q == 1 and an in ("Cl", "Br", "I"):
                        protos.append("cscl")
                    if cat in TM and an in ("S", "Se", "Te", "P", "As", "Sb"):
                        protos.append("nias")
                    if q == 2 and an in ("O", "S", "Se", "Te") or q == 3 and an == "N":
                        protos.append("wurtzite")
                    add(protos, [cat, an], pair)
                elif (q, p) in ((2, 1), (4, 2)):
                    add(["fluorite", "rutile"], [cat, an], pair)
                elif (q, p) == (1, 2):
                    add(["antifluorite"], [cat, an], pair)
                elif (q, p) == (3, 2):
                    add(["corundum"], [cat, an], pair)
    for a, b in INTERMETALLIC_B2:
        add(["cscl"], [a, b], (a, b))
    for a, b in INTERMETALLIC_L12:
        add(["l12"], [a, b], (a, b))
    for a, qa in PEROVSKITE_A.items():
        for b, qb in PEROVSKITE_B.items():
            if a == b:
                continue
            if qa + qb == 6:
                add(["perovskite"], [a, b, "O"], (b, "O"))
            if qa == 1 and qb == 2:
                add(["perovskite"], [a, b, "F"], (b, "F"))
    return out


# --------------------------------------------------------------------------------------
# compute stage
# --------------------------------------------------------------------------------------
def _init_worker() -> None:
    import torch

    torch.set_num_threads(1)
    logging.getLogger("matdiscover").setLevel(logging.ERROR)


def _relax_job(job: tuple[str, str, dict[str, Any], bool, int]) -> dict[str, Any]:
    from matdiscover.science.models.chgnet_path import evaluate_structures, relax_structure
    from matdiscover.science.models.chgnet_path.conventions import (
        legacy_minus_mp2020_correction,
    )

    key, label, sdict, relax_cell, steps = job
    s = Structure.from_dict(sdict)
    row: dict[str, Any] = {"key": key, "label": label, "natoms": len(s)}
    try:
        [e0] = evaluate_structures([s], forces=False)
        row["energy_static"] = e0.energy_per_atom
        r = relax_structure(s, fmax=0.05, steps=steps, relax_cell=relax_cell)
        row.update(
            energy_per_atom=r.energy_per_atom if not r.diverged else e0.energy_per_atom,
            converged=r.converged,
            diverged=r.diverged,
            steps=r.steps,
            volume_change=r.structure.volume / s.volume - 1,
            shift=legacy_minus_mp2020_correction(r.structure) / len(s),
        )
    except Exception as exc:  # recorded, not fatal: one bad candidate must not stop the build
        row["error"] = repr(exc)
    return row


def mp_lowest() -> _FormulaMap:
    """Lowest Matbench mp_e_form (eV/atom) per reduced formula."""
    from matdiscover.science.reference_data import load_table
    from matdiscover.science.thermo.hull import _reduced_key

    df = load_table("mp_e_form")
    by_key: dict[tuple[tuple[str, float], ...], float] = {}
    for formula, target in zip(df["formula"], df["target"], strict=True):
        key = _reduced_key(str(formula))
        if target < by_key.get(key, math.inf):
            by_key[key] = float(target)
    return _FormulaMap(by_key)


class _FormulaMap(dict[str, float]):
    """Lowest formation energy per reduced formula, looked up by any formula string."""

    def __init__(self, by_key: dict[tuple[tuple[str, float], ...], float]) -> None:
        super().__init__()
        self._by_key = by_key

    def __contains__(self, formula: object) -> bool:
        from matdiscover.science.thermo.hull import _reduced_key

        return isinstance(formula, str) and _reduced_key(formula) in self._by_key

    def __getitem__(self, formula: str) -> float:
        from matdiscover.science.thermo.hull import _reduced_key

        return self._by_key[_reduced_key(formula)]


def benchmark_formulas() -> frozenset[str]:
    path = ROOT / "benchmarks" / "structure_formation_energy.py"
    spec = importlib.util.spec_from_file_location("_bench", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return frozenset(mod.BENCHMARK_FORMULAS)


def compute(workers: int, steps: int) -> None:
    mp = mp_lowest()
    exclude = benchmark_formulas()
    jobs: list[tuple[str, str, dict[str, Any], bool, int]] = []
    explicit = explicit_elements()
    for z in range(1, 95):
        sym = Element.from_Z(z).symbol
        if sym in LEGACY_GAS or sym in NO_STRUCTURE:
            continue
        if sym in explicit:
            for label, s, cell in explicit[sym]:
                jobs.append((f"element:{sym}", label, s.as_dict(), cell, steps))
        else:
            s_ase = ase_element(sym)
            if s_ase is not None:
                jobs.append((f"element:{sym}", "ase.build.bulk", s_ase.as_dict(), True, steps))
    cands = [c for c in training_candidates(exclude) if c[0] in mp]
    log.info(
        "%d element jobs, %d compound candidates (%d formulas)",
        len(jobs),
        len(cands),
        len({c[0] for c in cands}),
    )
    jobs += [(f"compound:{rf}", proto, s.as_dict(), True, steps) for rf, proto, s in cands]
    ctx = get_context("spawn")
    rows: list[dict[str, Any]] = []
    with ctx.Pool(workers, initializer=_init_worker) as pool:
        for i, row in enumerate(pool.imap_unordered(_relax_job, jobs, chunksize=2)):
            rows.append(row)
            if i % 25 == 0:
                log.info("%d/%d done", i + 1, len(jobs))
    RAW.write_text(json.dumps({"created": dt.date.today().isoformat(), "rows": rows}, indent=0))
    log.info("wrote %s", RAW)


# --------------------------------------------------------------------------------------
# fit stage
# --------------------------------------------------------------------------------------
def _dataset(
    raw: dict[str, Any], mp: dict[str, float]
) -> tuple[dict[str, float], list[dict[str, Any]]]:
    from matdiscover.science.models.chgnet_path.conventions import LEGACY_GAS_ENERGIES

    phys: dict[str, float] = dict(LEGACY_GAS_ENERGIES)
    best: dict[str, dict[str, Any]] = {}
    for row in raw["rows"]:
        if "error" in row or row.get("diverged"):
            continue
        kind, name = row["key"].split(":")
        if kind == "element":
            phys[name] = min(phys.get(name, math.inf), row["energy_per_atom"])
        elif name not in best or row["energy_per_atom"] < best[name]["energy_per_atom"]:
            best[name] = row
    compounds = [
        {
            "formula": rf,
            "prototype": r["label"],
            "x": {el.symbol: float(v) for el, v in Composition(rf).fractional_composition.items()},
            # per-atom CHGNet energy on the legacy scale, and the MP target
            "e": r["energy_per_atom"] + r["shift"],
            "y": mp[rf],
        }
        for rf, r in best.items()
        if all(el.symbol in phys for el in Composition(rf).elements)
    ]
    return phys, compounds


def _predict(mu: dict[str, float], c: dict[str, Any]) -> float:
    return float(c["e"] - sum(x * mu[el] for el, x in c["x"].items()))


def _fit(prior: dict[str, float], compounds: list[dict[str, Any]], lam: float) -> dict[str, float]:
    """Ridge fit of per-element shifts δ to residuals (y − prediction with prior μ)."""
    els = sorted({el for c in compounds for el in c["x"]})
    idx = {el: i for i, el in enumerate(els)}
    a = np.zeros((len(compounds), len(els)))
    r = np.zeros(len(compounds))
    for k, c in enumerate(compounds):
        for el, x in c["x"].items():
            a[k, idx[el]] = x
        r[k] = _predict(prior, c) - c["y"]  # = Σ x δ  with μ = prior + δ
    delta = np.linalg.solve(a.T @ a + lam * np.eye(len(els)), a.T @ r)
    mu = dict(prior)
    for el, i in idx.items():
        mu[el] = prior[el] + float(delta[i])
    return mu


def _cv(
    prior: dict[str, float],
    compounds: list[dict[str, Any]],
    lam: float | None,
    *,
    always: list[dict[str, Any]] | None = None,
    k: int = 5,
) -> np.ndarray:
    """Out-of-fold errors (eV/atom) on ``compounds``; ``lam=None`` = prior only (no fit).

    ``always`` rows (the elements at E_form = 0 of the pure fit) are in every training fold.
    """
    rng = np.random.default_rng(0)
    folds = rng.integers(0, k, len(compounds))
    err = np.zeros(len(compounds))
    for f in range(k):
        train = [c for c, g in zip(compounds, folds, strict=True) if g != f]
        mu = prior if lam is None else _fit(prior, train + (always or []), lam)
        for i in np.flatnonzero(folds == f):
            err[i] = _predict(mu, compounds[i]) - compounds[i]["y"]
    return err


def fit() -> None:
    from matdiscover.science.models.chgnet_path._model import CHGNET_MODEL_NAME

    raw = json.loads(RAW.read_text())
    mp = mp_lowest()
    phys, compounds = _dataset(raw, mp)
    # drop prototype mismatches (MP ground state is another structure): the physical scheme
    # misses them by > 0.25 eV/atom; recorded in the metadata.
    err0 = np.array([_predict(phys, c) - c["y"] for c in compounds])
    keep = np.abs(err0 - np.median(err0)) < 0.25
    dropped = [c["formula"] for c, k in zip(compounds, keep, strict=True) if not k]
    train = [c for c, k in zip(compounds, keep, strict=True) if k]
    log.info("%d training compounds, %d dropped as outliers", len(train), len(dropped))
    report: dict[str, Any] = {"physical": _stats(_cv(phys, train, None))}
    lams = [1e-3, 1e-2, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
    hybrid_cv = {lam: _stats(_cv(phys, train, lam)) for lam in lams}
    best_lam = min(lams, key=lambda lam: hybrid_cv[lam]["mae"])
    report["hybrid"] = {**hybrid_cv[best_lam], "lambda": best_lam}
    report["hybrid_lambda_scan"] = {str(k): v for k, v in hybrid_cv.items()}
    # pure fit: elements as data points with E_form = 0 (no prior), negligible ridge
    zero = dict.fromkeys(phys, 0.0)
    elem_pts = [{"formula": el, "x": {el: 1.0}, "e": e, "y": 0.0} for el, e in phys.items()]
    report["fit"] = _stats(_cv(zero, train, 1e-6, always=elem_pts))
    variants = {
        "physical": phys,
        "hybrid": _fit(phys, train, best_lam),
        "fit": _fit(zero, train + elem_pts, 1e-6),
    }
    chosen = min(("physical", "hybrid", "fit"), key=lambda v: report[v]["mae"])
    counts: dict[str, int] = {}
    for c in train:
        for el in c["x"]:
            counts[el] = counts.get(el, 0) + 1
    explicit = explicit_elements()

    def element_table(mu: dict[str, float], variant: str) -> dict[str, Any]:
        table = {}
        for el, value in sorted(mu.items()):
            n = counts.get(el, 0)
            if el in ("H", "N", "F", "Cl"):
                src = "legacy-gas"
            elif el in explicit:
                src = f"physical ({explicit[el][0][0]})"
            else:
                src = "physical (ase.build.bulk)"
            if variant != "physical" and n:
                src += "+fit" if variant == "hybrid" else "; fitted"
            table[el] = {
                "energy_per_atom": round(value, 6),
                "prior": round(phys[el], 6),
                "source": src,
                "n_train": n,
                # prior-only elements: typical |fit shift| observed for fitted elements
                "sigma": 0.0 if n >= 3 else 0.10,
            }
        return table

    sigma_base = report[chosen]["rmse"]
    out = {
        "schema": 1,
        "method": chosen,
        "model": "chgnet",
        "model_version": CHGNET_MODEL_NAME,
        "created": dt.date.today().isoformat(),
        "convention": "MP legacy corrections (MaterialsProjectCompatibility), as Matbench "
        "v0.1 mp_e_form; CHGNet MP2020 energies converted per compound",
        "sigma_base": round(sigma_base, 4),
        "training": {
            "n_compounds": len(train),
            "dropped_outliers": dropped,
            "excluded_benchmark_formulas": sorted(benchmark_formulas()),
            "labels": "lowest Matbench mp_e_form per reduced formula",
        },
        "cv_5fold": report,
        "variant_names": ["physical", "hybrid", "fit"],
        "rebuild": "nice -n 5 .venv/bin/python scripts/build_chgnet_references.py",
        "elements": element_table(variants[chosen], chosen),
        "variants": {v: element_table(mu, v) for v, mu in variants.items()},
    }
    REFS.write_text(json.dumps(out, indent=1))
    log.info("chosen %s; CV: %s", chosen, json.dumps({k: report[k] for k in variants}))


def _stats(err: np.ndarray) -> dict[str, float]:
    return {
        "mae": round(float(np.mean(np.abs(err))), 4),
        "rmse": round(float(np.sqrt(np.mean(err**2))), 4),
        "n": int(len(err)),
    }


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", choices=["compute", "fit", "all"], default="all")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()
    stages: dict[str, Callable[[], None]] = {
        "compute": lambda: compute(args.workers, args.steps),
        "fit": fit,
    }
    for name in ("compute", "fit") if args.stage == "all" else (args.stage,):
        stages[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
