"""Physicochemical descriptors of a molecule (RDKit implementations).

=================  ============================================================  =======
field              definition                                                    unit
=================  ============================================================  =======
mw                 average molecular weight (``Descriptors.MolWt``)              g/mol
tpsa               topological polar surface area, N and O only (Ertl 2000)      Å²
clogp              Crippen cLogP (Wildman & Crippen 1999)                        log
hbd                H-bond donors (``rdMolDescriptors.CalcNumHBD``)               count
hba                H-bond acceptors (``rdMolDescriptors.CalcNumHBA``; not the    count
                   Lipinski N+O count, which is ``n_o_count``)
rotatable_bonds    rotatable bonds, strict definition                            count
heavy_atoms        non-hydrogen atoms                                            count
n_o_count          nitrogen + oxygen atoms (NPOL of the NSEI index)              count
qed                quantitative estimate of drug-likeness (Bickerton 2012)       0-1
=================  ============================================================  =======

Example:
    >>> from rdkit import Chem
    >>> d = descriptors(Chem.MolFromSmiles("CC(=O)Oc1ccccc1C(=O)O"))  # aspirin
    >>> round(d.mw, 2), round(d.tpsa, 2), d.hbd, d.hba, d.heavy_atoms, d.n_o_count
    (180.16, 63.6, 1, 3, 13, 4)
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass

from rdkit import Chem
from rdkit.Chem import QED, Crippen, Descriptors, MolSurf, rdMolDescriptors

from matdiscover.science.chemistry._screen import Bits, QueryScreen, pattern_bits

__all__ = ["MolecularDescriptors", "descriptors"]


@dataclass(frozen=True)
class MolecularDescriptors:
    """Descriptors of one molecule; units in the module docstring."""

    mw: float
    tpsa: float
    clogp: float
    hbd: int
    hba: int
    rotatable_bonds: int
    heavy_atoms: int
    n_o_count: int
    qed: float

    def as_dict(self) -> dict[str, float | int]:
        """The descriptors as a plain dict (JSON-ready)."""
        return asdict(self)


def descriptors(mol: Chem.Mol) -> MolecularDescriptors:
    """Compute :class:`MolecularDescriptors` of a sanitised molecule (use the standardised
    parent so that salts do not count)."""
    return _descriptors(mol, bits=pattern_bits(mol))


def _descriptors(mol: Chem.Mol, *, bits: Bits) -> MolecularDescriptors:
    """:func:`descriptors` with the pattern fingerprint of ``mol`` already computed."""
    clogp = float(Crippen.MolLogP(mol))  # type: ignore[attr-defined]  # partial stubs
    return MolecularDescriptors(
        mw=float(Descriptors.MolWt(mol)),  # type: ignore[attr-defined]
        tpsa=float(rdMolDescriptors.CalcTPSA(mol)),
        clogp=clogp,
        hbd=int(rdMolDescriptors.CalcNumHBD(mol)),
        hba=int(rdMolDescriptors.CalcNumHBA(mol)),
        rotatable_bonds=int(rdMolDescriptors.CalcNumRotatableBonds(mol)),
        heavy_atoms=int(mol.GetNumHeavyAtoms()),
        n_o_count=int(rdMolDescriptors.CalcNumLipinskiHBA(mol)),  # N + O atoms (NOCount)
        qed=_qed(mol, clogp=clogp, bits=bits),
    )


@functools.cache
def _qed_alert_screen() -> QueryScreen:
    return QueryScreen(QED.StructuralAlerts)


def _qed(mol: Chem.Mol, *, clogp: float, bits: Bits) -> float:
    """``QED.qed(mol)``, the same number, computed with the properties of
    ``rdkit.Chem.QED.properties`` but reusing the Crippen cLogP and the pattern fingerprint
    (which screens the 94 structural alerts) when removing hydrogens leaves ``mol`` as is."""
    qmol = Chem.RemoveHs(mol)
    if qmol.GetNumAtoms() != mol.GetNumAtoms():
        clogp = float(Crippen.MolLogP(qmol))  # type: ignore[attr-defined]
        bits = pattern_bits(qmol)
    alerts = QED.StructuralAlerts
    properties = QED.QEDproperties(
        MW=rdMolDescriptors._CalcMolWt(qmol),
        ALOGP=clogp,
        HBA=sum(
            len(qmol.GetSubstructMatches(pattern))
            for pattern in QED.Acceptors
            if qmol.HasSubstructMatch(pattern)
        ),
        HBD=rdMolDescriptors.CalcNumHBD(qmol),
        PSA=MolSurf.TPSA(qmol),  # type: ignore[attr-defined]
        ROTB=rdMolDescriptors.CalcNumRotatableBonds(
            qmol, rdMolDescriptors.NumRotatableBondsOptions.Strict
        ),
        AROM=len(Chem.GetSSSR(Chem.DeleteSubstructs(Chem.Mol(qmol), QED.AliphaticRings))),
        ALERTS=sum(
            1 for i in _qed_alert_screen().candidates(bits) if qmol.HasSubstructMatch(alerts[i])
        ),
    )
    return float(QED.qed(qmol, qedProperties=properties))
