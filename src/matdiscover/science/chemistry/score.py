"""The O[Q/P/L]A score: one transparent 0-100 number from potency, efficiency and quality.

O[Q/P/L]A stands for an overall assessment combining **Q**\\ uality, **P**\\ otency and
**L**\\ igand efficiency with **A**\\ lerts counted in quality. Every constant is a field of
:class:`ScoreSettings` (the platform exposes them as settings); every intermediate value is
returned in :class:`ScoreComponents`, and

    total = 100 * (w_potency * potency + w_efficiency * efficiency + w_quality * quality)
                / (w_potency + w_efficiency + w_quality)

holds exactly for the returned components (``ScoreComponents.recompute_total``).

Components, each in [0, 1]:

- **potency**: pActivity scaled linearly from ``potency_range`` (default 4 -> 0, i.e.
  100 µM, to 9 -> 1, i.e. 1 nM), clipped.
- **efficiency**: the mean of the available scaled indices, each linear over its reference
  range and clipped: LE 0.2-0.4 kcal/mol/HA (0.3 is the usual lead threshold, Hopkins
  2004), LLE 2-7 (5-7 for quality candidates, Leeson & Springthorpe 2007), SEI 5-18 and
  BEI 10-27 (18 and 27 are the reference values of a 1 nM, 333 Da, 50 Å² ligand,
  Abad-Zapatero & Metz 2005). SEI drops out when TPSA is 0.
- **quality**: ``1 - alert_penalty - property_penalty``, clipped to [0, 1]. Each PAINS
  alert costs ``pains_penalty`` (0.5), each Brenk/NIH alert ``other_alert_penalty`` (0.1),
  capped at ``max_alert_penalty`` (1.0); each descriptor outside its range (MW 150-500 Da,
  cLogP -1 to 5, TPSA 20-140 Å², HBD <= 5, HBA <= 10, rotatable bonds <= 10: Lipinski 1997,
  Veber 2002) costs ``property_penalty_each`` (0.1).

Classes (``classify``): ``Strong`` total >= 70, ``Moderate`` >= 50, ``Weak`` below 50, and
``Unscored`` when there is no usable activity (then ``total`` is ``None``; quality is still
returned). A censored activity (``'<'``/``'>'``) is scored but flagged (``censored``).

Example:
    >>> from rdkit import Chem
    >>> from matdiscover.science.chemistry.descriptors import descriptors
    >>> mol = Chem.MolFromSmiles("CC(=O)Oc1ccccc1C(=O)O")
    >>> s = oqpla_score(descriptors(mol), p_activity=7.0, alerts=[])
    >>> s.classification, round(s.total, 2), s.total == s.recompute_total()
    ('Strong', 77.0, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

from matdiscover.science.chemistry.alerts import Alert
from matdiscover.science.chemistry.descriptors import MolecularDescriptors
from matdiscover.science.chemistry.efficiency import efficiency_indices

__all__ = ["Classification", "ScoreComponents", "ScoreSettings", "classify", "oqpla_score"]

Classification = Literal["Strong", "Moderate", "Weak", "Unscored"]


@dataclass(frozen=True)
class ScoreSettings:
    """Weights, reference ranges and thresholds of the O[Q/P/L]A score (defaults above)."""

    w_potency: float = 0.40
    w_efficiency: float = 0.35
    w_quality: float = 0.25
    potency_range: tuple[float, float] = (4.0, 9.0)
    le_range: tuple[float, float] = (0.2, 0.4)
    lle_range: tuple[float, float] = (2.0, 7.0)
    sei_range: tuple[float, float] = (5.0, 18.0)
    bei_range: tuple[float, float] = (10.0, 27.0)
    pains_penalty: float = 0.5
    other_alert_penalty: float = 0.1
    max_alert_penalty: float = 1.0
    property_penalty_each: float = 0.1
    mw_range: tuple[float, float] = (150.0, 500.0)
    clogp_range: tuple[float, float] = (-1.0, 5.0)
    tpsa_range: tuple[float, float] = (20.0, 140.0)
    max_hbd: int = 5
    max_hba: int = 10
    max_rotatable_bonds: int = 10
    strong_threshold: float = 70.0
    moderate_threshold: float = 50.0

    def __post_init__(self) -> None:
        weights = (self.w_potency, self.w_efficiency, self.w_quality)
        if min(weights) < 0 or sum(weights) <= 0:
            raise ValueError("score weights must be >= 0 with a positive sum")
        for name in ("potency_range", "le_range", "lle_range", "sei_range", "bei_range"):
            low, high = getattr(self, name)
            if not low < high:
                raise ValueError(f"{name} must be (low, high) with low < high")
        if self.moderate_threshold > self.strong_threshold:
            raise ValueError("moderate_threshold must not exceed strong_threshold")


@dataclass(frozen=True)
class ScoreComponents:
    """Everything the score is made of; ``total`` is reproducible from these fields."""

    potency: float | None
    efficiency: float | None
    quality: float
    efficiency_terms: dict[str, float]
    alert_penalty: float
    property_penalty: float
    property_violations: tuple[str, ...]
    weights: tuple[float, float, float]
    total: float | None
    classification: Classification
    censored: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    def recompute_total(self) -> float | None:
        """The total from the displayed components and weights (equals ``total``)."""
        if self.potency is None or self.efficiency is None:
            return None
        wp, we, wq = self.weights
        parts = wp * self.potency + we * self.efficiency + wq * self.quality
        return 100.0 * parts / (wp + we + wq)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return asdict(self)


def _scale(value: float, bounds: tuple[float, float]) -> float:
    low, high = bounds
    return min(1.0, max(0.0, (value - low) / (high - low)))


def classify(total: float | None, *, settings: ScoreSettings | None = None) -> Classification:
    """The class of a total (see the module docstring for thresholds).

    >>> classify(75.0), classify(55.0), classify(10.0), classify(None)
    ('Strong', 'Moderate', 'Weak', 'Unscored')
    """
    s = settings or ScoreSettings()
    if total is None:
        return "Unscored"
    if total >= s.strong_threshold:
        return "Strong"
    if total >= s.moderate_threshold:
        return "Moderate"
    return "Weak"


def _quality(
    d: MolecularDescriptors, alerts: Sequence[Alert], s: ScoreSettings
) -> tuple[float, float, float, tuple[str, ...]]:
    pains = sum(1 for a in alerts if a.is_pains)
    others = len(alerts) - pains
    alert_penalty = min(
        s.max_alert_penalty, pains * s.pains_penalty + others * s.other_alert_penalty
    )
    checks = [
        ("MW", d.mw, s.mw_range),
        ("cLogP", d.clogp, s.clogp_range),
        ("TPSA", d.tpsa, s.tpsa_range),
    ]
    violations = [
        f"{name} {value:.1f} outside {low:g}-{high:g}"
        for name, value, (low, high) in checks
        if not low <= value <= high
    ]
    for name, count, most in (
        ("HBD", d.hbd, s.max_hbd),
        ("HBA", d.hba, s.max_hba),
        ("rotatable bonds", d.rotatable_bonds, s.max_rotatable_bonds),
    ):
        if count > most:
            violations.append(f"{name} {count} > {most}")
    property_penalty = s.property_penalty_each * len(violations)
    quality = min(1.0, max(0.0, 1.0 - alert_penalty - property_penalty))
    return quality, alert_penalty, property_penalty, tuple(violations)


def oqpla_score(
    d: MolecularDescriptors,
    *,
    p_activity: float | None,
    alerts: Sequence[Alert],
    censored: bool = False,
    settings: ScoreSettings | None = None,
) -> ScoreComponents:
    """Score one compound-activity pair.

    Args:
        d: descriptors of the standardised molecule.
        p_activity: -log10(molar activity), or ``None`` when unknown (-> ``Unscored``).
        alerts: the molecule's alerts (:func:`find_alerts`).
        censored: the activity is a bound (``'<'``/``'>'``), not an exact value.
        settings: weights, ranges and thresholds (defaults: :class:`ScoreSettings`).
    """
    s = settings or ScoreSettings()
    quality, alert_penalty, property_penalty, violations = _quality(d, alerts, s)
    weights = (s.w_potency, s.w_efficiency, s.w_quality)
    notes = ["censored activity: the score uses a bound"] if censored else []
    if p_activity is None:
        return ScoreComponents(
            potency=None,
            efficiency=None,
            quality=quality,
            efficiency_terms={},
            alert_penalty=alert_penalty,
            property_penalty=property_penalty,
            property_violations=violations,
            weights=weights,
            total=None,
            classification="Unscored",
            censored=censored,
            notes=("no activity: potency and efficiency are not scored",),
        )
    idx = efficiency_indices(
        p_activity,
        mw=d.mw,
        tpsa=d.tpsa,
        clogp=d.clogp,
        heavy_atoms=d.heavy_atoms,
        n_o_count=d.n_o_count,
    )
    terms = {
        "le": _scale(idx.le, s.le_range),
        "lle": _scale(idx.lle, s.lle_range),
        "bei": _scale(idx.bei, s.bei_range),
    }
    if idx.sei is not None:
        terms["sei"] = _scale(idx.sei, s.sei_range)
    else:
        notes.append("SEI undefined (TPSA 0): efficiency averages LE, LLE and BEI")
    efficiency = sum(terms.values()) / len(terms)
    potency = _scale(p_activity, s.potency_range)
    partial = ScoreComponents(
        potency=potency,
        efficiency=efficiency,
        quality=quality,
        efficiency_terms=terms,
        alert_penalty=alert_penalty,
        property_penalty=property_penalty,
        property_violations=violations,
        weights=weights,
        total=None,
        classification="Unscored",
        censored=censored,
        notes=tuple(notes),
    )
    total = partial.recompute_total()
    return ScoreComponents(
        **{**partial.__dict__, "total": total, "classification": classify(total, settings=s)}
    )
