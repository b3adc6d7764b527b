"""The O[Q/P/L]A score: components, reproducibility of total and class, settings."""

from __future__ import annotations

import pytest
from rdkit import Chem

from matdiscover.science.chemistry import (
    Activity,
    ScoreSettings,
    classify,
    descriptors,
    find_alerts,
    oqpla_score,
    profile_molecule,
)


def _clip(x: float) -> float:
    return min(1.0, max(0.0, x))


def test_celecoxib_components_by_hand() -> None:
    mol = Chem.MolFromSmiles("Cc1ccc(-c2cc(C(F)(F)F)nn2-c2ccc(S(N)(=O)=O)cc2)cc1")
    d = descriptors(mol)  # MW 381.379, TPSA 77.98, cLogP 3.51392, HA 26
    s = oqpla_score(d, p_activity=7.39794, alerts=find_alerts(mol))
    # potency (7.39794 - 4)/5 = 0.679588
    assert s.potency == pytest.approx(0.679588, abs=1e-6)
    # LE 0.38981 -> (0.38981-0.2)/0.2 = 0.94906; LLE 3.88402 -> 1.88402/5 = 0.376804
    # BEI 19.39787 -> 9.39787/17 = 0.552816; SEI 9.48697 -> 4.48697/13 = 0.345152
    assert s.efficiency_terms == pytest.approx(
        {"le": 0.94906, "lle": 0.376804, "bei": 0.552816, "sei": 0.345152}, abs=2e-5
    )
    assert s.efficiency == pytest.approx((0.94906 + 0.376804 + 0.552816 + 0.345152) / 4, abs=2e-5)
    # no alerts, all properties in range
    assert (s.quality, s.alert_penalty, s.property_penalty) == (1.0, 0.0, 0.0)
    total = 100 * (0.4 * 0.679588 + 0.35 * 0.555958 + 0.25 * 1.0)
    assert s.total == pytest.approx(total, abs=1e-3)  # 71.642 -> Strong
    assert s.classification == "Strong"


def test_total_and_class_reproducible_from_components() -> None:
    settings = ScoreSettings(w_potency=2.0, w_efficiency=1.0, w_quality=1.0)
    for smiles, p in [
        ("O=C1NC(=S)SC1=Cc1ccccc1", 6.0),
        ("CCCCCCCCCCCCCCCCCCCC(=O)O", 5.0),
        ("CC(=O)Oc1ccccc1C(=O)O", 4.2),
    ]:
        mol = Chem.MolFromSmiles(smiles)
        s = oqpla_score(descriptors(mol), p_activity=p, alerts=find_alerts(mol), settings=settings)
        assert s.potency is not None and s.efficiency is not None and s.total is not None
        wp, we, wq = s.weights
        by_hand = 100 * (wp * s.potency + we * s.efficiency + wq * s.quality) / (wp + we + wq)
        assert s.total == pytest.approx(by_hand, abs=1e-12)
        assert s.efficiency == pytest.approx(
            sum(s.efficiency_terms.values()) / len(s.efficiency_terms)
        )
        assert s.quality == pytest.approx(_clip(1 - s.alert_penalty - s.property_penalty))
        assert s.classification == classify(s.total, settings=settings)


def test_pains_and_property_penalties() -> None:
    mol = Chem.MolFromSmiles("O=C1NC(=S)SC1=Cc1ccccc1")  # ene_rhod (PAINS) + Brenk alerts
    alerts = find_alerts(mol)
    pains = sum(a.is_pains for a in alerts)
    others = len(alerts) - pains
    s = oqpla_score(descriptors(mol), p_activity=6.0, alerts=alerts)
    assert s.alert_penalty == pytest.approx(min(1.0, 0.5 * pains + 0.1 * others))
    # a greasy C20 acid breaks cLogP (and rotatable bonds) ranges
    greasy = Chem.MolFromSmiles("CCCCCCCCCCCCCCCCCCCC(=O)O")
    g = oqpla_score(descriptors(greasy), p_activity=6.0, alerts=[])
    assert any(v.startswith("cLogP") for v in g.property_violations)
    assert any(v.startswith("rotatable bonds") for v in g.property_violations)
    assert g.property_penalty == pytest.approx(0.1 * len(g.property_violations))


def test_no_activity_is_unscored_but_quality_shown() -> None:
    mol = Chem.MolFromSmiles("Oc1ccccc1O")
    s = oqpla_score(descriptors(mol), p_activity=None, alerts=find_alerts(mol))
    assert (s.total, s.classification, s.potency) == (None, "Unscored", None)
    assert s.quality < 1.0 and s.recompute_total() is None


def test_thresholds_and_settings_validation() -> None:
    assert [classify(x) for x in (70.0, 69.99, 50.0, 49.99)] == [
        "Strong",
        "Moderate",
        "Moderate",
        "Weak",
    ]
    assert classify(60.0, settings=ScoreSettings(strong_threshold=60.0)) == "Strong"
    with pytest.raises(ValueError):
        ScoreSettings(w_potency=-1.0)
    with pytest.raises(ValueError):
        ScoreSettings(le_range=(0.4, 0.2))


def test_profile_flags_censored_and_bad_activity() -> None:
    mol = Chem.MolFromSmiles("CC(=O)Nc1ccc(O)cc1")
    censored = profile_molecule(mol, activity=Activity(value=10, unit="uM", relation=">"))
    assert censored.score.censored and censored.score.total is not None
    bad = profile_molecule(mol, activity=Activity(value=10, unit="parsec"))
    assert bad.score.classification == "Unscored" and bad.activity_error
    assert "unknown concentration unit" in bad.activity_error
