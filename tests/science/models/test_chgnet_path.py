"""Tests for the CHGNet structure path (small cells; whole module runs in well under a minute)."""

from __future__ import annotations

import numpy as np
import pytest
from pymatgen.core import Lattice, Structure

from matdiscover.errors import InvalidComposition, InvalidStructure
from matdiscover.science.models.chgnet_path import (
    evaluate_structures,
    formation_energy_per_atom,
    load_chgnet,
    load_references,
    relax_structure,
)
from matdiscover.science.models.chgnet_path.conventions import legacy_minus_mp2020_correction
from matdiscover.science.models.chgnet_path.predict import predict_structure_properties
from matdiscover.science.models.chgnet_path.prototypes import rocksalt
from matdiscover.science.thermo import ReferenceHull

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:torch.*")

MP_NACL = -2.11  # lowest Matbench mp_e_form for NaCl (legacy corrections), eV/atom


@pytest.fixture(scope="module")
def nacl() -> Structure:
    return rocksalt("Na", "Cl", 5.64)


@pytest.fixture(scope="module")
def hull() -> ReferenceHull:
    return ReferenceHull.from_dataset("mp_e_form")


def test_model_loads_from_wheel_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("CHGNet tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    load_chgnet.cache_clear()
    model = load_chgnet()
    assert model.version == "0.3.0"


def test_evaluate_returns_all_quantities(nacl: Structure) -> None:
    strained = nacl.copy()
    strained.perturb(0.05, min_distance=0.01)
    res = evaluate_structures([nacl, strained], batch_size=2)
    assert len(res) == 2
    r = res[0]
    assert r.energy_per_atom == pytest.approx(-3.67, abs=0.05)
    assert r.energy == pytest.approx(r.energy_per_atom * len(nacl))
    assert r.forces is not None and r.forces.shape == (2, 3)
    assert r.stress is not None and r.stress.shape == (3, 3)
    assert r.magmoms.shape == (2,)
    assert r.crystal_features.shape == (64,)
    assert res[1].max_force is not None and res[1].max_force > r.max_force  # type: ignore[operator]
    no_f = evaluate_structures([nacl], forces=False)[0]
    assert no_f.forces is None and no_f.energy_per_atom == pytest.approx(r.energy_per_atom)


def test_nacl_formation_energy_close_to_mp(nacl: Structure) -> None:
    [res] = evaluate_structures([nacl], forces=False)
    value, notes = formation_energy_per_atom(nacl, res.energy_per_atom)
    assert value < 0
    assert value == pytest.approx(MP_NACL, abs=0.15)
    assert notes == ()


def test_convention_shift_for_bromide() -> None:
    kbr = rocksalt("K", "Br", 6.6)
    # legacy has no Br anion correction; MP2020 has -0.534 eV per Br
    assert legacy_minus_mp2020_correction(kbr) == pytest.approx(0.534)


def test_element_without_reference_is_an_error(nacl: Structure) -> None:
    refs = load_references()
    pm = nacl.copy()
    pm.replace_species({"Na": "Pm"})
    assert "Pm" not in refs.elements
    with pytest.raises(InvalidComposition, match="Pm"):
        formation_energy_per_atom(pm, -3.0)


def test_predict_nacl_on_hull(nacl: Structure, hull: ReferenceHull) -> None:
    [[e_form, e_hull]] = predict_structure_properties([nacl], hull=hull)
    assert e_form.property == "formation_energy" and e_form.method == "structure"
    assert e_form.unit == "eV/atom"
    assert e_form.value == pytest.approx(MP_NACL, abs=0.15)
    assert 0.01 < e_form.std < 0.2
    lo, hi = e_form.interval_95
    assert lo < e_form.value < hi
    assert e_form.model.startswith("chgnet-0.3.0-mptrj+refs-")
    assert e_hull.property == "energy_above_hull"
    assert e_hull.value == pytest.approx(0.0, abs=0.06)
    assert e_hull.model.endswith("+hull:mp_e_form")
    # placed on the hull with the exact MP value it is stable
    assert hull.energy_above_hull(
        "NaCl", hull.energy_above_hull("NaCl", 0).hull_energy_per_atom
    ).is_stable


def test_made_up_na3cl_above_hull(hull: ReferenceHull) -> None:
    na3cl = Structure(
        Lattice.cubic(4.9),
        ["Cl", "Na", "Na", "Na"],
        np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]]),
    )
    [[e_form, e_hull]] = predict_structure_properties([na3cl], hull=hull)
    assert e_hull.value > 0.1
    res = hull.energy_above_hull("Na3Cl", e_form.value)
    assert {name for name, _ in res.decomposition} == {"NaCl", "Na"}


def test_relaxation_converges_from_strained_cell() -> None:
    strained = rocksalt("Na", "Cl", 5.64 * 1.04)
    res = relax_structure(strained, fmax=0.05, steps=200)
    assert res.converged and not res.diverged
    assert res.max_generalized_force < 0.05
    assert 0 < res.steps < 200
    assert res.energy_per_atom < res.initial_energy_per_atom
    assert res.structure.volume < strained.volume
    assert res.warnings == ()


def test_non_converged_relaxation_is_reported() -> None:
    res = relax_structure(rocksalt("Na", "Cl", 6.2), fmax=0.01, steps=1)
    assert not res.converged
    assert res.steps == 1
    assert res.max_generalized_force > 0.01
    assert res.warnings and "did not converge" in res.warnings[0]


def test_disordered_structure_is_rejected(hull: ReferenceHull) -> None:
    disordered = Structure(
        Lattice.cubic(5.64), [{"Na": 0.5, "K": 0.5}, "Cl"], np.array([[0, 0, 0], [0.5, 0.5, 0.5]])
    )
    with pytest.raises(InvalidStructure, match="disordered"):
        evaluate_structures([disordered])
    with pytest.raises(InvalidStructure, match="structure 1: .*disordered"):
        predict_structure_properties([rocksalt("Na", "Cl", 5.64), disordered], hull=hull)


def test_batch_matches_single(nacl: Structure) -> None:
    kcl = rocksalt("K", "Cl", 6.29)
    batch = evaluate_structures([nacl, kcl], forces=False)
    single = evaluate_structures([kcl], forces=False)
    assert np.isclose(batch[1].energy_per_atom, single[0].energy_per_atom, atol=1e-5)
