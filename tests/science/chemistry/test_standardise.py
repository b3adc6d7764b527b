"""Standardisation: salts stripped, charges neutralised, canonical tautomer, InChIKey keys."""

from __future__ import annotations

import pytest
from rdkit import Chem

from matdiscover.science.chemistry import inchikey, standardise


def _std(smiles: str):  # type: ignore[no-untyped-def]
    return standardise(Chem.MolFromSmiles(smiles))


def test_sodium_benzoate_becomes_benzoic_acid() -> None:
    std = _std("[Na+].[O-]C(=O)c1ccccc1")
    assert std.smiles == Chem.MolToSmiles(Chem.MolFromSmiles("OC(=O)c1ccccc1"))
    assert std.changes == ("fragment", "uncharge")
    assert std.inchikey == "WPYMKLBDIGXBTP-UHFFFAOYSA-N"  # benzoic acid
    assert std.input_smiles == "O=C([O-])c1ccccc1.[Na+]"


def test_hydrochloride_salt_stripped() -> None:
    std = _std("CNCCC(Oc1ccc(cc1)C(F)(F)F)c1ccccc1.Cl")  # fluoxetine hydrochloride
    assert "Cl" not in std.smiles.split(".")
    assert "." not in std.smiles
    assert "fragment" in std.changes


def test_charges_neutralised() -> None:
    # protonated amine and carboxylate of a zwitterionic amino acid -> neutral form
    std = _std("C[C@H]([NH3+])C(=O)[O-]")
    assert "+" not in std.smiles and "-" not in std.smiles
    assert std.smiles == Chem.MolToSmiles(Chem.MolFromSmiles("C[C@H](N)C(=O)O"))
    assert "uncharge" in std.changes


def test_quaternary_ammonium_stays_charged() -> None:
    std = _std("C[N+](C)(C)C.[Cl-]")
    assert std.smiles == "C[N+](C)(C)C"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Oc1ccccn1", "O=c1cccc[nH]1"),  # 2-hydroxypyridine / 2-pyridone
        ("CC(O)=CC(C)=O", "CC(=O)CC(C)=O"),  # acetylacetone enol / keto
        ("N=C(O)c1ccccc1", "NC(=O)c1ccccc1"),  # imidic acid / benzamide
    ],
)
def test_tautomers_share_one_canonical_form(a: str, b: str) -> None:
    sa, sb = _std(a), _std(b)
    assert sa.smiles == sb.smiles
    assert sa.inchikey == sb.inchikey


def test_two_smiles_of_one_molecule_have_one_inchikey() -> None:
    ibuprofen = ("CC(C)Cc1ccc(cc1)C(C)C(=O)O", "OC(=O)C(C)c1ccc(CC(C)C)cc1")
    keys = {_std(s).inchikey for s in ibuprofen}
    assert keys == {"HEFNNWSXXWATRW-UHFFFAOYSA-N"}
    assert inchikey(Chem.MolFromSmiles(ibuprofen[0])) == "HEFNNWSXXWATRW-UHFFFAOYSA-N"


def test_stereoisomers_keep_distinct_keys() -> None:
    r = _std("C[C@@H](N)C(=O)O")
    s = _std("C[C@H](N)C(=O)O")
    assert r.inchikey != s.inchikey and r.inchikey[:14] == s.inchikey[:14]


def test_unchanged_molecule_records_no_change() -> None:
    std = _std("c1ccccc1")
    assert std.changes == () and std.smiles == "c1ccccc1"


def test_nitro_group_normalised_by_cleanup() -> None:
    # pentavalent nitro written without charges is fixed by Cleanup's normalisation
    mol = Chem.MolFromSmiles("c1ccccc1[N+](=O)[O-]")
    std = standardise(mol)
    assert std.smiles == "O=[N+]([O-])c1ccccc1"  # charge-separated form is the standard


def test_tautomer_step_keeps_stereocentres() -> None:
    naproxen = "COc1ccc2cc([C@H](C)C(=O)O)ccc2c1"
    std = _std(naproxen)
    assert "@" in std.smiles
    assert std.smiles == Chem.MolToSmiles(Chem.MolFromSmiles(naproxen))


def test_default_tautomer_limit_agrees_with_rdkit_default_on_seed() -> None:
    from matdiscover.science.chemistry import load_moleculeace_seed

    smiles = load_moleculeace_seed()["smiles"].drop_duplicates().sample(150, random_state=19)
    for s in smiles:
        mol = Chem.MolFromSmiles(s)
        assert standardise(mol).smiles == standardise(mol, max_tautomers=1000).smiles, s
