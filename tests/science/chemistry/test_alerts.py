"""Interference alerts: known PAINS flagged with the right family, approved drugs not flagged,
and the alert atoms highlighted in the SVG depiction."""

from __future__ import annotations

import re

import pytest
from rdkit import Chem

from matdiscover.science.chemistry import (
    PAINS_CATALOGS,
    depict_svg,
    find_alerts,
    standardise,
)
from matdiscover.science.chemistry.depict import OTHER_HEX, PAINS_HEX

# Chemotypes of Baell & Holloway, J. Med. Chem. 53, 2719 (2010): (SMILES, family, catalogue)
KNOWN_PAINS = [
    ("O=C1NC(=S)SC1=Cc1ccccc1", "ene_rhod", "PAINS_A"),  # 5-benzylidene rhodanine
    ("CCN1C(=O)C(=Cc2ccc(O)cc2)SC1=S", "ene_rhod", "PAINS_A"),  # N-ethyl arylidene rhodanine
    ("Oc1ccccc1O", "catechol", "PAINS_B"),  # catechol
    ("Cc1ccc(O)c(O)c1", "catechol", "PAINS_B"),  # 4-methylcatechol
    ("O=c1c(O)c(-c2ccc(O)c(O)c2)oc2cc(O)cc(O)c12", "catechol", "PAINS_B"),  # quercetin
    ("O=C1C=CC(=O)C=C1", "quinone", "PAINS_A"),  # p-benzoquinone
    ("CC1=CC(=O)c2ccccc2C1=O", "quinone", "PAINS_A"),  # menadione
    ("O=C1N(c2ccccc2)N=C(C)C1=Cc1ccc(N(C)C)cc1", "ene_five_het", "PAINS_A"),  # arylidene pyrazolone
    ("CN(C)c1ccc(N=Nc2ccccc2)cc1", "anil_di_alk", "PAINS_A"),  # 4-dimethylaminoazobenzene
    ("CN(C)c1ccc(N=Nc2ccccc2)cc1", "azo", "PAINS_A"),
    ("Oc1ccc(C)cc1CN1CCCCC1", "mannich", "PAINS_A"),  # phenolic Mannich base
    ("Oc1ccccc1C=NNC(=O)c1ccccc1", "hzone_phenol", "PAINS_A"),  # salicylaldehyde hydrazone
    ("N#CC(C#N)=Cc1ccc(O)cc1", "ene_cyano", "PAINS_B"),  # tyrphostin A8
    ("CCOC(=O)c1c(N)sc(C)c1C", "thiophene_amino", "PAINS_B"),  # Gewald 2-aminothiophene
]

APPROVED_DRUGS = {
    "aspirin": "CC(=O)Oc1ccccc1C(=O)O",
    "ibuprofen": "CC(C)Cc1ccc(cc1)C(C)C(=O)O",
    "paracetamol": "CC(=O)Nc1ccc(O)cc1",
    "metformin": "CN(C)C(=N)NC(=N)N",
    "atorvastatin": (
        "CC(C)c1c(C(=O)Nc2ccccc2)c(-c2ccccc2)c(-c2ccc(F)cc2)n1CC[C@@H](O)C[C@@H](O)CC(=O)O"
    ),
    "caffeine": "Cn1c(=O)c2c(ncn2C)n(C)c1=O",
    "naproxen": "COc1ccc2cc([C@H](C)C(=O)O)ccc2c1",
    "diazepam": "CN1C(=O)CN=C(c2ccccc2)c2cc(Cl)ccc21",
    "omeprazole": "COc1ccc2[nH]c(S(=O)Cc3ncc(C)c(OC)c3C)nc2c1",
    "simvastatin": (
        "CCC(C)(C)C(=O)O[C@H]1C[C@@H](C)C=C2C=C[C@H](C)[C@H](CC[C@@H]3C[C@@H](O)CC(=O)O3)[C@@H]21"
    ),
    "losartan": "CCCCc1nc(Cl)c(CO)n1Cc1ccc(-c2ccccc2-c2nn[nH]n2)cc1",
    "amlodipine": "CCOC(=O)C1=C(COCCN)NC(C)=C(C(=O)OC)C1c1ccccc1Cl",
    "ciprofloxacin": "OC(=O)c1cn(C2CC2)c2cc(N3CCNCC3)c(F)cc2c1=O",
    "fluoxetine": "CNCCC(Oc1ccc(cc1)C(F)(F)F)c1ccccc1",
    "sertraline": "CN[C@H]1CC[C@@H](c2ccc(Cl)c(Cl)c2)c2ccccc21",
    "lisinopril": "NCCCC[C@H](N[C@@H](CCc1ccccc1)C(=O)O)C(=O)N1CCC[C@H]1C(=O)O",
    "sildenafil": "CCCc1nn(C)c2c(=O)[nH]c(-c3cc(S(=O)(=O)N4CCN(C)CC4)ccc3OCC)nc12",
    "celecoxib": "Cc1ccc(-c2cc(C(F)(F)F)nn2-c2ccc(S(N)(=O)=O)cc2)cc1",
    "propranolol": "CC(C)NCC(O)COc1cccc2ccccc12",
    "diclofenac": "OC(=O)Cc1ccccc1Nc1c(Cl)cccc1Cl",
    "metoprolol": "COCCc1ccc(OCC(O)CNC(C)C)cc1",
}


def _parent(smiles: str) -> Chem.Mol:
    mol = Chem.MolFromSmiles(smiles)
    assert mol is not None, smiles
    return standardise(mol).mol


@pytest.mark.parametrize(("smiles", "family", "catalog"), KNOWN_PAINS)
def test_known_pains_flagged_with_family(smiles: str, family: str, catalog: str) -> None:
    mol = _parent(smiles)
    hits = find_alerts(mol, catalogs=PAINS_CATALOGS)
    assert (catalog, family) in {(a.catalog, a.family) for a in hits}, hits
    for alert in hits:
        assert alert.is_pains
        assert alert.atoms and max(alert.atoms) < mol.GetNumAtoms()
        assert alert.description.startswith("PAINS family")


def test_at_least_eight_pains_chemotypes() -> None:
    assert len({family for _, family, _ in KNOWN_PAINS}) >= 8


@pytest.mark.parametrize("name", sorted(APPROVED_DRUGS))
def test_approved_drugs_have_no_pains_alert(name: str) -> None:
    assert find_alerts(_parent(APPROVED_DRUGS[name]), catalogs=PAINS_CATALOGS) == []


def test_twenty_approved_drugs() -> None:
    assert len(APPROVED_DRUGS) >= 20


def test_brenk_and_nih_alerts_report_catalog_and_atoms() -> None:
    mol = _parent("O=C1C=CC(=O)C=C1")
    by_catalog = {a.catalog: a for a in find_alerts(mol)}
    assert set(by_catalog) == {"PAINS_A", "BRENK", "NIH"}
    assert by_catalog["BRENK"].atoms == tuple(range(8))
    assert not by_catalog["NIH"].is_pains


def test_quinone_alert_atoms_are_the_quinone() -> None:
    # 2-phenyl-p-benzoquinone: the phenyl ring is not part of the quinone alert
    mol = _parent("O=C1C=CC(=O)C(c2ccccc2)=C1")
    (alert,) = [a for a in find_alerts(mol, catalogs=("PAINS_A",)) if a.family == "quinone"]
    phenyl = {a.GetIdx() for a in mol.GetAtoms() if a.GetIsAromatic()}
    assert phenyl and not phenyl & set(alert.atoms)
    ring_oxygens = {a.GetIdx() for a in mol.GetAtoms() if a.GetSymbol() == "O"}
    assert ring_oxygens <= set(alert.atoms)


def _highlighted_atoms(svg: str, colour: str) -> set[int]:
    # RDKit draws each highlighted atom as an ellipse/path of class 'atom-N' filled with colour
    found = set()
    for match in re.finditer(r"<(?:ellipse|path)[^>]*class='atom-(\d+)'[^>]*>", svg):
        if f"fill:{colour}" in match.group(0):
            found.add(int(match.group(1)))
    return found


def test_depiction_highlights_exactly_the_alert_atoms() -> None:
    mol = _parent("O=C1C=CC(=O)C(c2ccccc2)=C1")
    pains = [a for a in find_alerts(mol) if a.is_pains]
    svg = depict_svg(mol, alerts=pains)
    assert svg.startswith("<?xml") and svg.rstrip().endswith("</svg>")
    assert PAINS_HEX in svg
    assert _highlighted_atoms(svg, PAINS_HEX) == set(pains[0].atoms)


def test_depiction_without_alerts_has_no_highlight() -> None:
    svg = depict_svg(_parent(APPROVED_DRUGS["ibuprofen"]))
    assert PAINS_HEX not in svg and OTHER_HEX not in svg
    assert "<path" in svg


def test_other_alerts_use_the_other_colour() -> None:
    mol = _parent("CCCCCCCCCCCCCCCC")  # long aliphatic chain: a Brenk alert, no PAINS
    alerts = find_alerts(mol)
    assert alerts and not any(a.is_pains for a in alerts)
    svg = depict_svg(mol, alerts=alerts)
    assert OTHER_HEX in svg and PAINS_HEX not in svg
