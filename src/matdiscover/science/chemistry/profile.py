"""One call for the whole per-molecule pipeline: standardise, describe, alert, index, score.

Example:
    >>> from rdkit import Chem
    >>> from matdiscover.science.chemistry.efficiency import Activity
    >>> p = profile_molecule(Chem.MolFromSmiles("[Na+].[O-]C(=O)c1ccccc1O"),
    ...                      activity=Activity(value=50.0, unit="nM", type="Ki"))
    >>> p.standard.smiles, p.p_activity.value if p.p_activity else None
    ('O=C(O)c1ccccc1O', 7.301029995663981)
    >>> p.score.classification in ("Strong", "Moderate", "Weak")
    True
"""

from __future__ import annotations

from dataclasses import dataclass

from rdkit import Chem

from matdiscover.science.chemistry._screen import pattern_bits
from matdiscover.science.chemistry.alerts import ALL_CATALOGS, Alert, _find_alerts
from matdiscover.science.chemistry.descriptors import MolecularDescriptors, _descriptors
from matdiscover.science.chemistry.efficiency import (
    Activity,
    EfficiencyIndices,
    PActivity,
    efficiency_indices,
    p_activity,
)
from matdiscover.science.chemistry.errors import InvalidActivity
from matdiscover.science.chemistry.score import ScoreComponents, ScoreSettings, oqpla_score
from matdiscover.science.chemistry.standardise import StandardisedMolecule, standardise

__all__ = ["MoleculeProfile", "describe", "profile_molecule"]


@dataclass(frozen=True)
class MoleculeProfile:
    """Everything computed for one molecule (and optionally one activity of it).

    ``activity_error`` holds why a given activity could not be used (then ``p_activity`` and
    ``indices`` are ``None`` and the score is ``Unscored``).
    """

    standard: StandardisedMolecule
    descriptors: MolecularDescriptors
    alerts: tuple[Alert, ...]
    p_activity: PActivity | None
    indices: EfficiencyIndices | None
    score: ScoreComponents
    activity_error: str | None = None


def describe(mol: Chem.Mol) -> tuple[MolecularDescriptors, list[Alert]]:
    """``(descriptors(mol), find_alerts(mol))`` with one pattern-fingerprint screen shared
    by the alerts and QED (each alone computes its own).

    >>> from rdkit import Chem
    >>> from matdiscover.science.chemistry import descriptors, find_alerts
    >>> mol = Chem.MolFromSmiles("O=Cc1ccc(O)c(O)c1")
    >>> describe(mol) == (descriptors(mol), find_alerts(mol))
    True
    """
    bits = pattern_bits(mol)
    return _descriptors(mol, bits=bits), _find_alerts(mol, catalogs=ALL_CATALOGS, bits=bits)


def profile_molecule(
    mol: Chem.Mol,
    *,
    activity: Activity | None = None,
    settings: ScoreSettings | None = None,
    tautomer: bool = True,
) -> MoleculeProfile:
    """Standardise ``mol`` and compute descriptors, alerts, pActivity, indices and score.

    Alerts, descriptors and indices refer to the standardised parent (its atom indices are
    the ones to depict).

    Raises:
        InvalidMolecule: standardisation failed.
    """
    std = standardise(mol, tautomer=tautomer)
    bits = pattern_bits(std.mol)  # one substructure screen for the alerts and QED
    desc = _descriptors(std.mol, bits=bits)
    alerts = tuple(_find_alerts(std.mol, catalogs=ALL_CATALOGS, bits=bits))
    pa: PActivity | None = None
    indices: EfficiencyIndices | None = None
    error: str | None = None
    if activity is not None:
        try:
            pa = p_activity(activity)
            indices = efficiency_indices(
                pa.value,
                mw=desc.mw,
                tpsa=desc.tpsa,
                clogp=desc.clogp,
                heavy_atoms=desc.heavy_atoms,
                n_o_count=desc.n_o_count,
            )
        except InvalidActivity as exc:
            pa, indices, error = None, None, exc.message
    score = oqpla_score(
        desc,
        p_activity=pa.value if pa else None,
        alerts=alerts,
        censored=bool(pa and not pa.exact),
        settings=settings,
    )
    return MoleculeProfile(
        standard=std,
        descriptors=desc,
        alerts=alerts,
        p_activity=pa,
        indices=indices,
        score=score,
        activity_error=error,
    )
