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

from dataclasses import asdict, dataclass

from rdkit import Chem
from rdkit.Chem import QED, Crippen, Descriptors, rdMolDescriptors

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
    return MolecularDescriptors(
        mw=float(Descriptors.MolWt(mol)),  # type: ignore[attr-defined]  # partial stubs
        tpsa=float(rdMolDescriptors.CalcTPSA(mol)),
        clogp=float(Crippen.MolLogP(mol)),  # type: ignore[attr-defined]
        hbd=int(rdMolDescriptors.CalcNumHBD(mol)),
        hba=int(rdMolDescriptors.CalcNumHBA(mol)),
        rotatable_bonds=int(rdMolDescriptors.CalcNumRotatableBonds(mol)),
        heavy_atoms=int(mol.GetNumHeavyAtoms()),
        n_o_count=sum(1 for a in mol.GetAtoms() if a.GetAtomicNum() in (7, 8)),
        qed=float(QED.qed(mol)),
    )
