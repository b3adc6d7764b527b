"""Parsing in a child process: same results, time limit, no leaked processes."""

from __future__ import annotations

import multiprocessing
import random
import threading
import time

import pytest

from matdiscover.errors import InputTooLarge, InvalidStructure, ParseTimeout
from matdiscover.science.io import ParseLimits, read_structures, read_structures_isolated
from matdiscover.science.io.isolated import run_isolated
from tests.science.structure_fixtures import MALFORMED_DIR, REAL_DIR


def slow_cif(rows: int = 3000) -> bytes:
    """A real pathological input: 3,000 general positions under 12 explicit symmetry
    operations make pymatgen's duplicate-site search take many seconds."""
    ops = ["x,y,z", "-x,-y,z", "-x,y,-z", "x,-y,-z", "z,x,y", "z,-x,-y", "-z,-x,y", "-z,x,-y"]
    ops += ["y,z,x", "-y,z,-x", "y,-z,-x", "-y,-z,x"]
    rng = random.Random(1)
    lines = ["data_slow", *(f"_cell_length_{x} 60" for x in "abc")]
    lines += [f"_cell_angle_{x} 90" for x in ("alpha", "beta", "gamma")]
    lines += ["loop_", "_symmetry_equiv_pos_as_xyz", *(f"'{op}'" for op in ops)]
    lines += ["loop_", "_atom_site_label", "_atom_site_type_symbol"]
    lines += ["_atom_site_fract_x", "_atom_site_fract_y", "_atom_site_fract_z"]
    lines += [
        f"C{i} C {rng.random():.5f} {rng.random():.5f} {rng.random():.5f}" for i in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def test_same_result_as_in_process() -> None:
    data = (REAL_DIR / "JVASP-59313.cif").read_bytes()
    here = read_structures(data, "garnet.cif")
    there = read_structures_isolated(data, "garnet.cif")
    assert [s.canonical_hash for s in there.structures] == [
        s.canonical_hash for s in here.structures
    ]
    assert there.structures[0].symmetry == here.structures[0].symmetry


def test_errors_keep_their_class_and_message() -> None:
    with pytest.raises(InvalidStructure, match="species names are missing"):
        read_structures_isolated(
            (MALFORMED_DIR / "POSCAR_missing_species").read_bytes(), "POSCAR_missing_species"
        )
    with pytest.raises(InputTooLarge, match="more than the limit of 5000"):
        read_structures_isolated(
            (MALFORMED_DIR / "huge_site_count.vasp").read_bytes(), "huge_site_count.vasp"
        )


@pytest.mark.slow
def test_real_slow_file_times_out_and_child_is_killed() -> None:
    limits = ParseLimits(max_sites=10**6, timeout_s=1.0)
    start = time.monotonic()
    with pytest.raises(ParseTimeout, match="longer than the limit of 1 s"):
        read_structures_isolated(slow_cif(), "slow.cif", limits=limits)
    assert time.monotonic() - start < 5
    assert multiprocessing.active_children() == []


def test_timeout_of_a_hanging_child() -> None:
    start = time.monotonic()
    with pytest.raises(ParseTimeout):
        run_isolated(time.sleep, (60,), timeout_s=0.3)
    assert time.monotonic() - start < 3
    assert multiprocessing.active_children() == []


def test_child_crash_is_reported() -> None:
    import os

    with pytest.raises(InvalidStructure, match="parser process died"):
        run_isolated(os._exit, (3,), timeout_s=10)


def test_unexpected_exception_in_child() -> None:
    with pytest.raises(InvalidStructure, match="ZeroDivisionError"):
        run_isolated(divmod, (1, 0), timeout_s=10)


def test_thread_safe_and_fast_per_call() -> None:
    data = (REAL_DIR / "Rutile.cif").read_bytes()
    read_structures_isolated(data, "Rutile.cif")  # warm
    results: list[str] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(3):
                results.append(read_structures_isolated(data, "Rutile.cif").structures[0].formula)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    assert not errors and results == ["Ti2 O4"] * 12
    assert elapsed / 12 < 1.0  # generous: the machine is shared; typically ~0.05 s per call
    assert multiprocessing.active_children() == []
