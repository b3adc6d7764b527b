"""ECFP4 similarity, top-k over the seed set, SMARTS search and the seed loader."""

from __future__ import annotations

import pytest
from rdkit import Chem
from rdkit.Chem import rdFingerprintGenerator

from matdiscover.science.chemistry import (
    FingerprintIndex,
    InvalidSmarts,
    compile_smarts,
    fingerprint,
    fingerprint_bitstring,
    load_moleculeace_seed,
    nearest_seed_activities,
    substructure_search,
    tanimoto,
)


@pytest.fixture(scope="module")
def seed_sample() -> tuple[list[str], list[Chem.Mol]]:
    df = load_moleculeace_seed()
    smiles = df["smiles"].drop_duplicates().head(3000).tolist()
    return smiles, [Chem.MolFromSmiles(s) for s in smiles]


def test_seed_table_shape_and_values() -> None:
    df = load_moleculeace_seed()
    assert len(df) == 48714
    assert df["target"].nunique() == 29
    assert set(df["activity_type"]) == {"Ki", "EC50"}
    assert set(df["unit"]) == {"nM"} and set(df["relation"]) == {"="}
    # pActivity is -log10 of the molar value
    row = df.iloc[0]
    assert row["p_activity"] == pytest.approx(9.0 - __import__("math").log10(row["value"]))
    assert df["smiles"].head(500).map(lambda s: Chem.MolFromSmiles(s) is not None).all()


def test_fingerprint_is_ecfp4_2048() -> None:
    mol = Chem.MolFromSmiles("CC(=O)Oc1ccccc1C(=O)O")
    reference = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
    assert fingerprint(mol).GetNumBits() == 2048
    assert fingerprint(mol) == reference.GetFingerprint(mol)
    bits = fingerprint_bitstring(mol)
    assert len(bits) == 2048 and set(bits) <= {"0", "1"}


def test_top_k_matches_brute_force(seed_sample: tuple[list[str], list[Chem.Mol]]) -> None:
    smiles, mols = seed_sample
    index = FingerprintIndex.from_mols(mols, keys=smiles)
    query = mols[123]
    hits = index.top_k(query, k=20)
    assert len(hits) == 20
    assert hits[0].key == smiles[123] and hits[0].similarity == 1.0
    sims = [tanimoto(query, m) for m in mols]
    expected = sorted(range(len(mols)), key=lambda i: (-sims[i], i))[:20]
    assert [h.index for h in hits] == expected
    assert [h.similarity for h in hits] == pytest.approx([sims[i] for i in expected])
    assert all(h.similarity >= 0.6 for h in index.top_k(query, k=50, min_similarity=0.6))


def test_substructure_search(seed_sample: tuple[list[str], list[Chem.Mol]]) -> None:
    _, mols = seed_sample
    pattern = "c1ccccc1S(=O)(=O)N"  # aryl sulfonamide
    hits = substructure_search(pattern, mols)
    query = Chem.MolFromSmarts(pattern)
    assert hits == [i for i, m in enumerate(mols) if m.HasSubstructMatch(query)]
    assert hits, "the seed sample contains aryl sulfonamides"
    assert substructure_search(pattern, mols, limit=3) == hits[:3]


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("C(", "not a valid SMARTS"),
        ("[C;", "not a valid SMARTS"),
        ("c1ccccc", "not a valid SMARTS"),
        ("C" * 1001, "at most 1,000"),
    ],
)
def test_bad_smarts_are_clear_errors(pattern: str, message: str) -> None:
    with pytest.raises(InvalidSmarts, match=message):
        compile_smarts(pattern)
    with pytest.raises(InvalidSmarts):
        substructure_search(pattern, [Chem.MolFromSmiles("CCO")])


def test_nearest_seed_activities_shows_similarity_and_activities() -> None:
    df = load_moleculeace_seed()
    counts = df["smiles"].value_counts()
    multi = counts[counts > 1].index[0]  # a compound measured on several targets
    query = Chem.MolFromSmiles(multi)
    hits = nearest_seed_activities(query, k=5, min_similarity=0.0)
    assert len(hits) == 5
    assert hits[0].smiles == multi and hits[0].similarity == 1.0
    expected = df[df["smiles"] == multi]
    assert sorted(a[0] for a in hits[0].activities) == sorted(expected["target"])
    assert sorted(a[3] for a in hits[0].activities) == pytest.approx(sorted(expected["p_activity"]))
    sims = [h.similarity for h in hits]
    assert sims == sorted(sims, reverse=True)
    for hit in hits[1:]:
        assert hit.similarity == pytest.approx(tanimoto(query, Chem.MolFromSmiles(hit.smiles)))
    assert all(h.similarity >= 0.9 for h in nearest_seed_activities(query, min_similarity=0.9))
