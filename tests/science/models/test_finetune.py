"""Fine-tuning a shipped composition model (no database): input checks, the grouped
held-out split, and a resumed run that equals an uninterrupted one."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from matdiscover.errors import InvalidInput
from matdiscover.science.models.composition import load_composition_model, models_dir
from matdiscover.science.models.composition.finetune import (
    FineTuneConfig,
    check_training_rows,
    finetune_composition,
    holdout_split,
    read_checkpoint,
)
from matdiscover.science.reference_data import data_dir

FORMULAS = ["NaCl", "ZnO", "GaN", "Si", "MgO", "Cu", "GaAs", "CdS", "TiO2", "Al2O3", "KBr"]
GAPS = [8.5, 3.4, 3.4, 1.1, 7.8, 0.0, 1.4, 2.4, 3.0, 8.8, 7.4]


@pytest.mark.parametrize(
    ("values", "units", "words"),
    [
        ([], [], "no band_gap measurements"),
        ([1.5] * 11, ["eV"] * 11, "nothing to learn from"),
        ([0.0] * 11, ["eV"] * 11, "nothing to learn from"),
        ([*GAPS[:-1], float("nan")], ["eV"] * 11, "not finite"),
        ([*GAPS[:-1], None], ["eV"] * 11, "not finite"),
        (GAPS, [*["eV"] * 10, "meV"], "meV"),
        (GAPS, ["J"] * 11, "found measurements in J"),
    ],
)
def test_unusable_rows_are_refused(values: list[float], units: list[str], words: str) -> None:
    with pytest.raises(InvalidInput, match=words):
        check_training_rows("band_gap", FORMULAS[: len(values)], values, units)


def test_other_refusals() -> None:
    with pytest.raises(InvalidInput, match="cannot fine-tune"):
        check_training_rows("energy_above_hull", FORMULAS, GAPS, ["eV"] * 11)
    with pytest.raises(InvalidInput, match="with a formula"):
        check_training_rows("band_gap", [None] * 11, GAPS, ["eV"] * 11)
    with pytest.raises(InvalidInput, match="positive"):
        check_training_rows("bulk_modulus", FORMULAS, [0.0, *range(1, 11)], ["GPa"] * 11)


def test_fingerprint_ignores_row_order() -> None:
    a = check_training_rows("band_gap", FORMULAS, GAPS, ["eV"] * 11)
    b = check_training_rows("band_gap", FORMULAS[::-1], GAPS[::-1], ["eV"] * 11)
    c = check_training_rows("band_gap", FORMULAS, [*GAPS[:-1], 7.5], ["eV"] * 11)
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()


def test_holdout_split_keeps_a_formula_on_one_side() -> None:
    formulas = ["NaCl", "ClNa", "Na2Cl2", "ZnO", "GaN", "MgO", "CdS", "Si", "Ge", "C"]
    train, held = holdout_split(formulas, fraction=0.3, seed=3)
    assert sorted([*train.tolist(), *held.tolist()]) == list(range(10))
    nacl = {0, 1, 2}
    assert nacl <= set(train.tolist()) or nacl <= set(held.tolist())
    assert len(held) >= 1 and len(train) >= 1


@pytest.mark.slow
def test_resumed_run_equals_an_uninterrupted_one() -> None:
    table = pd.read_parquet(data_dir() / "reference" / "expt_gap.parquet")
    sample = table.sample(n=120, random_state=7)
    rows = check_training_rows(
        "band_gap", sample.formula.tolist(), sample.target.tolist(), ["eV"] * len(sample)
    )
    base = load_composition_model("band_gap")
    card = json.loads((models_dir() / "band_gap" / "card.json").read_text())
    cfg = FineTuneConfig(epochs=3, replay_rows=300, classifier_rounds=5)
    states: list[bytes] = []
    full = finetune_composition(
        base, rows, config=cfg, base_card=card, on_epoch=lambda p, s: states.append(s) or True
    )
    assert full is not None and len(states) == 3
    assert read_checkpoint(states[0])[0] == 1
    resumed = finetune_composition(base, rows, config=cfg, base_card=card, resume=states[0])
    assert resumed is not None
    assert [p.epoch for p in resumed.learning_curve] == [1, 2, 3]
    formulas = ["NaCl", "ZnO", "GaAs", "Fe2O3"]
    a, b = full.model.predict(formulas), resumed.model.predict(formulas)
    np.testing.assert_allclose(a.value, b.value, rtol=0, atol=1e-9)
    hold = full.metrics["holdout"]
    assert hold["rows"] > 0 and set(hold) == {"rows", "shipped", "candidate"}
    assert full.metrics["shipped_test"]["rows"] > 10_000
    assert full.card["training_data"]["group_fingerprint_sha256"] == rows.fingerprint()
