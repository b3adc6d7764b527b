"""Standardise molecules with RDKit MolStandardize and key them for de-duplication.

Steps, in order (each recorded in :attr:`StandardisedMolecule.changes` when it changed the
canonical SMILES):

1. ``cleanup``: RDKit ``Cleanup`` (remove Hs, disconnect metals, normalise functional
   groups such as nitro and N-oxides, reionise).
2. ``fragment``: keep the largest organic fragment (``FragmentParent``), which strips salts,
   counter-ions and solvents.
3. ``uncharge``: neutralise charges where a neutral form exists (``Uncharger``); quaternary
   ammonium and zwitterion-free cations stay charged.
4. ``tautomer``: the canonical tautomer (``TautomerEnumerator.Canonicalize``, at most
   ``max_tautomers`` enumerated). Tetrahedral stereocentres are kept (RDKit's default would
   drop those next to a tautomeric site, e.g. the alpha carbon of an amino acid, and merge
   enantiomers); double-bond stereo inside a tautomeric system is dropped.

The standard key of a molecule is its standard InChIKey (``inchikey``); the canonical
isomeric SMILES (``smiles``) is kept for display and search.

Example:
    >>> from rdkit import Chem
    >>> std = standardise(Chem.MolFromSmiles("[Na+].[O-]C(=O)c1ccccc1"))
    >>> std.smiles, std.changes
    ('O=C(O)c1ccccc1', ('fragment', 'uncharge'))
    >>> std.inchikey
    'WPYMKLBDIGXBTP-UHFFFAOYSA-N'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rdkit import Chem, rdBase
from rdkit.Chem.MolStandardize import rdMolStandardize

from matdiscover.science.chemistry.errors import InvalidMolecule

__all__ = ["Change", "StandardisedMolecule", "inchikey", "standardise"]

Change = Literal["cleanup", "fragment", "uncharge", "tautomer"]


@dataclass(frozen=True)
class StandardisedMolecule:
    """The parent molecule after standardisation.

    Attributes:
        mol: the standardised RDKit molecule.
        smiles: its canonical isomeric SMILES.
        inchikey: its standard InChIKey (the de-duplication key).
        input_smiles: canonical SMILES of the molecule as given.
        changes: the steps that changed the molecule, in order.
    """

    mol: Chem.Mol
    smiles: str
    inchikey: str
    input_smiles: str
    changes: tuple[Change, ...]


class _Tools:
    """RDKit standardiser objects, built once per process and per tautomer limit."""

    _cache: dict[int, _Tools] = {}

    def __init__(self, max_tautomers: int) -> None:
        self.chooser = rdMolStandardize.LargestFragmentChooser(preferOrganic=True)
        self.uncharger = rdMolStandardize.Uncharger(canonicalOrder=True)
        params = rdMolStandardize.CleanupParameters()
        params.maxTautomers = max_tautomers  # type: ignore[assignment]  # RDKit stub is wrong
        params.maxTransforms = max_tautomers  # type: ignore[assignment]
        # keep stereocentres next to tautomeric sites (RDKit's default drops them, which
        # would merge enantiomers such as L- and D-alanine into one key)
        params.tautomerRemoveSp3Stereo = False  # type: ignore[assignment]
        self.tautomers = rdMolStandardize.TautomerEnumerator(params)

    @classmethod
    def get(cls, max_tautomers: int) -> _Tools:
        tools = cls._cache.get(max_tautomers)
        if tools is None:
            tools = cls._cache[max_tautomers] = cls(max_tautomers)
        return tools


def inchikey(mol: Chem.Mol) -> str:
    """Standard InChIKey of ``mol`` (``""`` when InChI cannot represent it).

    >>> from rdkit import Chem
    >>> inchikey(Chem.MolFromSmiles("OCC")) == inchikey(Chem.MolFromSmiles("C(O)C"))
    True
    """
    with rdBase.BlockLogs():
        return str(Chem.MolToInchiKey(mol) or "")


def standardise(
    mol: Chem.Mol,
    *,
    tautomer: bool = True,
    max_tautomers: int = 50,
) -> StandardisedMolecule:
    """Return the standardised parent of ``mol`` with what changed.

    Args:
        mol: a sanitised RDKit molecule (e.g. from :func:`read_molecules`).
        tautomer: canonicalise the tautomer (the slowest step: 4-5 ms per seed molecule,
            about half of ``profile_molecule``).
        max_tautomers: enumeration limit (tautomers and transforms) for the canonical
            tautomer. 50: 24 % of 1,000 seed molecules reach it, and 4 of them get another
            canonical form than with RDKit's default 1,000, in 40 % of the time. 20 would
            save another 1.5 ms per molecule but change 59 of 9,997 seed canonical SMILES
            (34 InChIKeys, 4 alert lists).

    Raises:
        InvalidMolecule: RDKit could not standardise it, or nothing is left.
    """
    tools = _Tools.get(max_tautomers)
    input_smiles = Chem.MolToSmiles(mol)
    changes: list[Change] = []
    current, previous = mol, input_smiles
    steps: list[tuple[Change, object]] = [
        ("cleanup", rdMolStandardize.Cleanup),
        ("fragment", tools.chooser.choose),
        ("uncharge", tools.uncharger.uncharge),
    ]
    if tautomer:
        steps.append(("tautomer", tools.tautomers.Canonicalize))
    with rdBase.BlockLogs():
        for name, step in steps:
            # steps that cannot change this molecule are skipped (the same result, checked
            # on every seed molecule): one fragment has no other to drop, and a molecule
            # without charged atoms has nothing to neutralise
            if name == "fragment" and "." not in previous:
                continue
            if name == "uncharge" and not any(a.GetFormalCharge() for a in current.GetAtoms()):
                continue
            try:
                current = step(current)  # type: ignore[operator]
            except Exception as exc:  # RDKit raises plain RuntimeError/ValueError subclasses
                raise InvalidMolecule(f"standardisation step {name} failed: {exc}") from None
            smiles = Chem.MolToSmiles(current)
            if smiles != previous:
                changes.append(name)
                previous = smiles
    if current.GetNumAtoms() == 0:
        raise InvalidMolecule("nothing is left after standardisation")
    return StandardisedMolecule(
        mol=current,
        smiles=previous,
        inchikey=inchikey(current),
        input_smiles=input_smiles,
        changes=tuple(changes),
    )
