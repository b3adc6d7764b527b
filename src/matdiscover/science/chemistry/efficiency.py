"""Bioactivity normalisation (pActivity) and ligand-efficiency indices.

pActivity is ``-log10(activity / M)``: 1 nM -> 9.0, 1 µM -> 6.0. Values already on a log
scale (pKi, pIC50, pChEMBL...) are taken as they are. Only relation ``'='`` is an exact
measurement; ``'<'``/``'>'`` (and ``'<='``/``'>='``, ``'~'``) are kept but flagged
(``PActivity.exact`` is ``False``), so a caller can exclude censored values from scoring.

Ligand-efficiency indices (all from pActivity and descriptors of the *standardised*
molecule, see :mod:`matdiscover.science.chemistry.descriptors`):

==========  =========================================  ================================
index       definition                                 reference
==========  =========================================  ================================
LE          1.37 * pActivity / HA  (kcal/mol per       Hopkins, Groom & Alex, Drug
            heavy atom; 1.37 = 2.303 RT at 298 K)      Discov. Today 9, 430 (2004)
LLE (LipE)  pActivity - cLogP                          Leeson & Springthorpe, Nat. Rev.
                                                       Drug Discov. 6, 881 (2007)
SEI         pActivity / (PSA / 100 Å²)                 Abad-Zapatero & Metz, Drug
BEI         pActivity / (MW / 1 kDa)                   Discov. Today 10, 464 (2005)
NSEI        pActivity / NPOL  (NPOL = N + O atoms)     Abad-Zapatero et al., Drug Discov.
NBEI        pActivity / NHEA  (NHEA = heavy atoms)     Today 15, 804 (2010); Cortes-
nBEI        pActivity + log10(NHEA)                    Cabrera et al., J. Comput. Aided
            (= -log10(Ki / NHEA))                      Mol. Des. 26, 995 (2012), AtlasCBS
==========  =========================================  ================================

``NBEI`` (per heavy atom) and ``nBEI`` (the logarithmic form used for the NSEI-nBEI
efficiency plane, where ``nBEI = NPOL * NSEI + log10(NHEA)``) are both returned because the
literature uses both names; scoring uses SEI/BEI/LE/LLE only. An index whose denominator is
zero (e.g. SEI of a molecule without polar surface) is ``None``, never infinite.

Example:
    >>> pa = p_activity(Activity(value=10.0, unit="nM", type="Ki"))
    >>> round(pa.value, 6), pa.exact
    (8.0, True)
    >>> idx = efficiency_indices(8.0, mw=400.0, tpsa=80.0, clogp=3.0, heavy_atoms=28,
    ...                          n_o_count=5)
    >>> round(idx.bei, 3), round(idx.sei, 3), round(idx.lle, 3), round(idx.le, 4)
    (20.0, 10.0, 5.0, 0.3914)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from matdiscover.science.chemistry.errors import InvalidActivity

__all__ = [
    "LE_KCAL_PER_LOG_UNIT",
    "Activity",
    "EfficiencyIndices",
    "PActivity",
    "Relation",
    "efficiency_indices",
    "normalise_relation",
    "p_activity",
]

#: 2.303 RT at 298 K in kcal/mol (Hopkins 2004 uses 1.37; 2.303 * 0.001987 * 298.15 = 1.364)
LE_KCAL_PER_LOG_UNIT = 1.37

Relation = Literal["=", "<", ">", "<=", ">=", "~"]

# unit (lower case, spaces removed) -> factor to mol/L; "M" and "mM" differ only in case,
# which lower-casing keeps apart ("m" vs "mm")
_MOLAR_FACTORS: dict[str, float] = {
    "m": 1.0,
    "mol/l": 1.0,
    "molar": 1.0,
    "mm": 1e-3,
    "mmol/l": 1e-3,
    "um": 1e-6,
    "µm": 1e-6,
    "μm": 1e-6,  # Greek mu
    "umol/l": 1e-6,
    "µmol/l": 1e-6,
    "nm": 1e-9,
    "nmol/l": 1e-9,
    "pm": 1e-12,
    "pmol/l": 1e-12,
    "fm": 1e-15,
}
_LOG_TYPES = ("pki", "pkd", "pic50", "pec50", "pac50", "pchembl", "pactivity", "pa2", "pkb")
_LOG_UNITS = ("", "-log(m)", "log units", "p", "none", "-logm")
_RELATIONS: dict[str, Relation] = {
    "=": "=",
    "==": "=",
    "<": "<",
    ">": ">",
    "<=": "<=",
    "=<": "<=",
    ">=": ">=",
    "=>": ">=",
    "~": "~",
    "'='": "=",
    "'<'": "<",
    "'>'": ">",
}


@dataclass(frozen=True)
class Activity:
    """One measured bioactivity as reported (ChEMBL style).

    Attributes:
        value: the reported number (in ``unit``; for log types the p-value itself).
        unit: concentration unit (``M``, ``mM``, ``µM``/``uM``, ``nM``, ``pM``, ``fM``) or
            empty for log-scale types.
        type: activity type as reported (``Ki``, ``IC50``, ``EC50``, ``Kd``, ``pKi``...).
        relation: ``=`` for an exact value; others are censored.
        target: target identifier (e.g. a ChEMBL id), informational.
    """

    value: float
    unit: str = ""
    type: str | None = None
    relation: Relation = "="
    target: str | None = None


@dataclass(frozen=True)
class PActivity:
    """A normalised activity: ``value`` = -log10(molar activity).

    ``exact`` is ``True`` only for relation ``'='``; ``note`` explains any flag.
    """

    value: float
    relation: Relation
    exact: bool
    note: str | None = None


def normalise_relation(text: str | None) -> Relation:
    """Map a reported relation (``'='``, ``"'>'"``, ``'=<'``...) to a :data:`Relation`.

    Empty/missing means ``'='``.

    >>> normalise_relation("'>'"), normalise_relation(None), normalise_relation("=<")
    ('>', '=', '<=')
    """
    key = (text or "").strip()
    if not key:
        return "="
    try:
        return _RELATIONS[key]
    except KeyError:
        raise InvalidActivity(f"unknown activity relation {key[:20]!r}") from None


def _molar_factor(unit: str) -> float | None:
    return _MOLAR_FACTORS.get(unit.strip().replace(" ", "").lower())


def p_activity(activity: Activity) -> PActivity:
    """Convert an :class:`Activity` to pActivity (-log10 of the molar value).

    Log-scale types (``pKi``, ``pIC50``, ``pChEMBL``...) or units (``-log(M)``) are taken as
    given. A censored relation flips direction on the log scale: ``IC50 > 10 µM`` becomes
    ``pIC50 < 5``.

    Raises:
        InvalidActivity: non-finite or non-positive concentration, unknown unit, or a p-value
            outside 0-20.

    >>> p_activity(Activity(value=2.5, unit="µM", type="IC50")).value  # doctest: +ELLIPSIS
    5.60205...
    >>> pa = p_activity(Activity(value=10, unit="uM", type="IC50", relation=">"))
    >>> pa.value, pa.relation, pa.exact
    (5.0, '<', False)
    >>> p_activity(Activity(value=7.2, type="pKi")).value
    7.2
    """
    value = float(activity.value)
    if not math.isfinite(value):
        raise InvalidActivity("activity value is not a finite number")
    relation = activity.relation
    type_key = (activity.type or "").strip().lower().replace(" ", "")
    unit = activity.unit.strip()
    is_log = type_key in _LOG_TYPES or (unit.lower() in _LOG_UNITS and type_key.startswith("p"))
    if unit.lower() in ("-log(m)", "-logm", "log units"):
        is_log = True
    if is_log:
        if not 0.0 <= value <= 20.0:
            raise InvalidActivity(f"p-value {value:g} is outside 0-20")
        p = value
        out_relation = relation
    else:
        if not unit:
            raise InvalidActivity(
                f"activity {activity.type or ''} {value:g} has no unit; give M, mM, µM, nM or pM"
            )
        factor = _molar_factor(unit)
        if factor is None:
            raise InvalidActivity(
                f"unknown concentration unit {unit[:20]!r}; use M, mM, µM/uM, nM, pM or fM"
            )
        if value <= 0.0:
            raise InvalidActivity(f"concentration {value:g} {unit} is not positive")
        p = -math.log10(value * factor)
        flip: dict[Relation, Relation] = {
            "=": "=",
            "~": "~",
            "<": ">",
            ">": "<",
            "<=": ">=",
            ">=": "<=",
        }
        out_relation = flip[relation]
        if not 0.0 <= p <= 20.0:
            raise InvalidActivity(f"pActivity {p:.2f} from {value:g} {unit} is outside 0-20")
    exact = out_relation == "="
    note = None if exact else f"censored value (pActivity {out_relation} {p:.2f}); not exact"
    return PActivity(value=p, relation=out_relation, exact=exact, note=note)


@dataclass(frozen=True)
class EfficiencyIndices:
    """Ligand-efficiency indices of one activity (see module docstring for definitions).

    Attributes:
        p_activity: the pActivity used.
        le: ligand efficiency, kcal/mol per heavy atom.
        lle: lipophilic ligand efficiency, log units.
        sei: surface-binding efficiency index, per 100 Å² of TPSA (``None`` if TPSA is 0).
        bei: binding efficiency index, per kDa.
        nsei: pActivity per N+O atom (``None`` without N or O).
        nbei: pActivity per heavy atom.
        n_bei: pActivity + log10(heavy atoms) (AtlasCBS nBEI).
    """

    p_activity: float
    le: float
    lle: float
    sei: float | None
    bei: float
    nsei: float | None
    nbei: float
    n_bei: float


def efficiency_indices(
    p_activity: float,
    *,
    mw: float,
    tpsa: float,
    clogp: float,
    heavy_atoms: int,
    n_o_count: int,
) -> EfficiencyIndices:
    """Compute LE, LLE, SEI, BEI, NSEI, NBEI and nBEI from pActivity and descriptors.

    Args:
        p_activity: -log10(molar activity).
        mw: average molecular weight, g/mol (Da).
        tpsa: topological polar surface area, Å².
        clogp: Crippen cLogP.
        heavy_atoms: number of non-hydrogen atoms.
        n_o_count: number of nitrogen plus oxygen atoms (NPOL).

    Raises:
        InvalidActivity: non-finite pActivity, or ``mw``/``heavy_atoms`` not positive.
    """
    if not math.isfinite(p_activity):
        raise InvalidActivity("pActivity is not a finite number")
    if heavy_atoms <= 0 or mw <= 0.0:
        raise InvalidActivity("efficiency indices need a molecule with heavy atoms")
    return EfficiencyIndices(
        p_activity=p_activity,
        le=LE_KCAL_PER_LOG_UNIT * p_activity / heavy_atoms,
        lle=p_activity - clogp,
        sei=p_activity / (tpsa / 100.0) if tpsa > 0.0 else None,
        bei=p_activity / (mw / 1000.0),
        nsei=p_activity / n_o_count if n_o_count > 0 else None,
        nbei=p_activity / heavy_atoms,
        n_bei=p_activity + math.log10(heavy_atoms),
    )
