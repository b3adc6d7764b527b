"""SevenNet structure tiers: bundled checkpoints only, MP-consistent formation energies,
the selected model recorded in every prediction, and the top-level Python API."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pymatgen.core import Lattice, Structure

import matdiscover
from matdiscover.errors import InvalidInput
from matdiscover.science.known_structures import load_known_structures
from matdiscover.science.models.sevennet_path import (
    BUNDLED_CHECKPOINTS,
    load_sevennet,
    predict_structure_properties,
    resolve_checkpoint,
)
from matdiscover.science.models.structure_models import STRUCTURE_MODELS, check_structure_model
from matdiscover.science.predict import predict
from matdiscover.science.reference_data import load_table


def _shipped(source_id: str) -> Structure:
    df = load_known_structures()
    row = df[df["source_id"] == source_id].iloc[0]
    return Structure.from_dict(json.loads(row["structure"]))


def _mp_formation_energy(reduced_formula: str) -> float:
    """Lowest mp_e_form label of a formula (the platform hull's value)."""
    table = load_table("mp_e_form")
    from pymatgen.core import Composition

    mask = table["formula"].map(lambda f: Composition(f).reduced_formula == reduced_formula)
    return float(table.loc[mask, "target"].min())


@pytest.mark.parametrize("name", ["7net-omat", "7net-mf-ompa", "7net-omni", "mace-mp-0", ""])
def test_names_that_are_not_bundled_are_refused_without_download(name: str) -> None:
    cache = Path.home() / ".cache" / "sevennet"
    before = sorted(cache.rglob("*")) if cache.exists() else []
    with pytest.raises(InvalidInput, match="not bundled") as info:
        load_sevennet(name)
    assert "7net-0" in info.value.message and "7net-l3i5" in info.value.message
    with pytest.raises(InvalidInput):
        resolve_checkpoint(name)
    after = sorted(cache.rglob("*")) if cache.exists() else []
    assert after == before  # nothing was fetched
    import sevenn

    pretrained = Path(sevenn.__file__).parent / "pretrained_potentials"
    assert not list(pretrained.rglob("*.partial"))


def test_bundled_checkpoints_resolve_to_files_in_the_wheel() -> None:
    for name in BUNDLED_CHECKPOINTS:
        path = resolve_checkpoint(name)
        assert path.is_file() and "pretrained_potentials" in path.parts
    assert resolve_checkpoint("SevenNet-0") == resolve_checkpoint("7net-0")


def test_unknown_structure_model_lists_the_allowed_names() -> None:
    with pytest.raises(InvalidInput) as info:
        check_structure_model("7net-omat")
    for name in STRUCTURE_MODELS:
        assert name in info.value.message
    with pytest.raises(InvalidInput):
        predict("NaCl", model="m3gnet")
    assert check_structure_model(None) == "7net-0"


def test_nacl_from_the_shipped_table_matches_materials_project() -> None:
    nacl = _shipped("mp-22862")
    assert nacl.composition.reduced_formula == "NaCl"
    mp = _mp_formation_energy("NaCl")  # about -2.1 eV/atom (legacy corrections)
    [[e_form, e_hull]] = predict_structure_properties([nacl], model="7net-0")
    assert abs(e_form.value - mp) < 0.05, (e_form.value, mp)
    assert e_hull.value < 0.05
    assert 0.0 < e_form.std < 0.2
    assert e_form.interval_95[0] < mp < e_form.interval_95[1]
    assert e_form.in_domain


def test_legacy_convention_for_a_bromide() -> None:
    """SevenNet energies are raw: MP2020 then legacy corrections must both be applied, or
    KBr comes out ~0.27 eV/atom off the mp_e_form label (legacy has no Br correction)."""
    kbr = Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(6.69), ["K", "Br"], [[0, 0, 0], [0.5, 0.5, 0.5]]
    )
    [[e_form, _]] = predict_structure_properties([kbr], model="7net-0")
    assert abs(e_form.value - _mp_formation_energy("KBr")) < 0.08


def test_raw_energies_get_the_oxide_correction() -> None:
    """Raw SevenNet energies carry no corrections: without the oxide correction MgO would be
    ~0.35 eV/atom above its mp_e_form label."""
    mgo = _shipped("mp-1265")
    [[e_form, _]] = predict_structure_properties([mgo], model="7net-0")
    assert abs(e_form.value - _mp_formation_energy("MgO")) < 0.05


@pytest.mark.parametrize(
    ("model", "prefix"),
    [("7net-0", "sevennet-7net-0-"), ("7net-l3i5", "sevennet-7net-l3i5-"), ("chgnet", "chgnet-")],
)
def test_selected_model_is_recorded_in_the_prediction(model: str, prefix: str) -> None:
    nacl = _shipped("mp-22862")
    report = predict(nacl, properties=["formation_energy", "energy_above_hull"], model=model)
    by = report.by_property()
    assert by["formation_energy"].model.startswith(prefix), by["formation_energy"].model
    assert by["energy_above_hull"].model.startswith(prefix)
    assert by["formation_energy"].method == "structure"
    assert by["formation_energy"].model_version


def test_the_two_sevennet_tiers_differ_but_agree() -> None:
    nacl = _shipped("mp-22862")
    a = predict_structure_properties([nacl], model="7net-0")[0][0]
    b = predict_structure_properties([nacl], model="7net-l3i5")[0][0]
    assert a.value != b.value and abs(a.value - b.value) < 0.05


def test_top_level_predict_and_load_model() -> None:
    report = matdiscover.predict("Fe2O3", properties=["formation_energy"])
    assert report.method == "composition" and report.predictions[0].unit == "eV/atom"
    assert matdiscover.load_model("7net-0") is load_sevennet("7net-0")
    with pytest.raises(InvalidInput, match="7net-l3i5"):
        matdiscover.load_model("7net-omat")


def test_import_matdiscover_predict_in_a_fresh_process() -> None:
    code = (
        "import sys, matdiscover\n"
        "assert 'torch' not in sys.modules and 'pymatgen.core' not in sys.modules\n"
        "r = matdiscover.predict('Fe2O3')\n"
        "print(r.formula, len(r.predictions), r.by_property()['formation_energy'].unit)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["Fe2O3", "6", "eV/atom"]
