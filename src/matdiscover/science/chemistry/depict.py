"""2D depiction (SVG) of a molecule with alert atoms highlighted (RDKit rdMolDraw2D).

Atoms of PAINS alerts are drawn on :data:`PAINS_COLOUR` (red), atoms of other alerts
(Brenk, NIH) on :data:`OTHER_ALERT_COLOUR` (amber); bonds between two highlighted atoms of
one alert get the same colour. The SVG is self-contained (no external fonts or images).

Example:
    >>> from rdkit import Chem
    >>> from matdiscover.science.chemistry.alerts import find_alerts
    >>> mol = Chem.MolFromSmiles("O=C1C=CC(=O)C=C1")
    >>> svg = depict_svg(mol, alerts=find_alerts(mol))
    >>> svg.startswith("<?xml") and PAINS_HEX in svg
    True
"""

from __future__ import annotations

from collections.abc import Sequence

from rdkit import Chem
from rdkit.Chem import rdDepictor
from rdkit.Chem.Draw import rdMolDraw2D

from matdiscover.science.chemistry.alerts import Alert

__all__ = ["OTHER_ALERT_COLOUR", "OTHER_HEX", "PAINS_COLOUR", "PAINS_HEX", "depict_svg"]

#: RGB (0-1) fill of atoms in a PAINS alert
PAINS_COLOUR = (1.0, 0.4, 0.4)
#: RGB (0-1) fill of atoms in a Brenk or NIH alert
OTHER_ALERT_COLOUR = (1.0, 0.8, 0.2)
#: the same colours as they appear in the SVG
PAINS_HEX = "#FF6666"
OTHER_HEX = "#FFCC33"


def depict_svg(
    mol: Chem.Mol,
    *,
    alerts: Sequence[Alert] = (),
    width: int = 400,
    height: int = 300,
    legend: str = "",
) -> str:
    """Draw ``mol`` as an SVG string, highlighting the atoms and bonds of ``alerts``.

    Args:
        mol: the molecule whose atom indices the alerts refer to.
        alerts: alerts from :func:`find_alerts` on this same molecule.
        width: image width, px.
        height: image height, px.
        legend: text under the drawing.
    """
    drawn = Chem.Mol(mol)
    if drawn.GetNumConformers() == 0:
        rdDepictor.Compute2DCoords(drawn)
    atom_colours: dict[int, tuple[float, float, float]] = {}
    bond_colours: dict[int, tuple[float, float, float]] = {}
    # other alerts first, so that PAINS colours win where alerts overlap
    for alert in sorted(alerts, key=lambda a: a.is_pains):
        colour = PAINS_COLOUR if alert.is_pains else OTHER_ALERT_COLOUR
        members = set(alert.atoms)
        for index in members:
            if index < drawn.GetNumAtoms():
                atom_colours[index] = colour
        for bond in drawn.GetBonds():
            if bond.GetBeginAtomIdx() in members and bond.GetEndAtomIdx() in members:
                bond_colours[bond.GetIdx()] = colour
    drawer = rdMolDraw2D.MolDraw2DSVG(width, height)
    rdMolDraw2D.PrepareAndDrawMolecule(
        drawer,
        drawn,
        legend=legend,
        highlightAtoms=list(atom_colours),
        highlightAtomColors=atom_colours,
        highlightBonds=list(bond_colours),
        highlightBondColors=bond_colours,
    )
    drawer.FinishDrawing()
    return str(drawer.GetDrawingText())
