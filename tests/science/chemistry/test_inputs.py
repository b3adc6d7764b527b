"""The malformed-input corpus through ``read_molecules``: every bad row is a clear row error
(or, for a broken file, one clear file error), and every good row is kept."""

from __future__ import annotations

import gzip
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdkit import Chem

from matdiscover.errors import InputTooLarge, InvalidInput
from matdiscover.science.chemistry import (
    InvalidMolecule,
    InvalidMoleculeFile,
    parse_smiles,
    read_molecules,
)

GOOD = ["CCO", "c1ccccc1O", "CC(=O)Oc1ccccc1C(=O)O"]


def _kinds(result) -> list[tuple[int | None, str]]:  # type: ignore[no-untyped-def]
    return [(i.row, i.kind) for i in result.issues]


def _sdf(*blocks: str) -> bytes:
    return "".join(b if b.endswith("$$$$\n") else b + "$$$$\n" for b in blocks).encode()


def _block(smiles: str, name: str, **items: str) -> str:
    mol = Chem.MolFromSmiles(smiles)
    mol.SetProp("_Name", name)
    text = Chem.MolToMolBlock(mol)
    for key, value in items.items():
        text += f"> <{key}>\n{value}\n\n"
    return text


def test_smiles_list_with_every_row_error_kind() -> None:
    lines = [
        "# a comment",
        "CCO ethanol",  # 2 good
        "C1CC( broken",  # 3 invalid SMILES (syntax)
        "C(C)(C)(C)(C)C pentavalent",  # 4 valence error
        "c1cccc1 bad-aromatic",  # 5 kekulisation error
        "C" * 10_000 + " huge",  # 6 a 10,000-atom SMILES
        "C" * 250 + " big",  # 7 more than 200 heavy atoms
        "[H][H] hydrogen",  # 8 no heavy atom
        "",  # 9 blank
        "c1ccccc1O phenol",  # 10 good
        "OCC ethanol-again",  # 11 duplicate of row 2
    ]
    result = read_molecules("\n".join(lines).encode(), filename="list.smi")
    assert [(m.row, m.name) for m in result.molecules] == [
        (2, "ethanol"),
        (10, "phenol"),
        (11, "ethanol-again"),
    ]
    assert _kinds(result) == [
        (3, "invalid_smiles"),
        (4, "valence"),
        (5, "kekulize"),
        (6, "smiles_too_long"),
        (7, "too_many_atoms"),
        (8, "empty_molecule"),
        (11, "duplicate"),
    ]
    messages = {i.row: i.message for i in result.issues}
    assert "not a valid SMILES" in messages[3] and "syntax error" in messages[3]
    assert "Explicit valence for atom # 0 C, 5" in messages[4]
    assert "10,000 characters" in messages[6] and len(messages[6]) < 300
    assert "250 heavy atoms" in messages[7]
    assert result.molecules[2].duplicate_of == 2
    assert [i.severity for i in result.issues][-1] == "warning"
    assert result.format == "smiles" and not result.encoding_fallback


def test_csv_injection_names_neutralised_and_reported() -> None:
    text = (
        "smiles,name,id,comment\n"
        "CCO,=cmd|' /C calc'!A0,+1-2,@SUM(1)\n"
        "CCN,-2+3,ok,fine\n"
        "CCC,propane,-5.5,negative number is not a formula\n"
    )
    result = read_molecules(text.encode(), filename="x.csv")
    first, second, third = result.molecules
    assert first.name == "'=cmd|' /C calc'!A0" and first.identifier == "'+1-2"
    assert first.fields == {"comment": "'@SUM(1)"}
    assert second.name == "'-2+3"
    assert third.identifier == "-5.5"
    assert _kinds(result) == [(2, "csv_injection"), (3, "csv_injection")]
    assert all(i.severity == "warning" for i in result.issues)


def test_latin1_file_is_read_with_a_flag() -> None:
    data = "smiles,name\nCCO,éthanol\nCCN,amine\n".encode("latin-1")
    result = read_molecules(data, filename="x.csv")
    assert result.encoding == "latin-1" and result.encoding_fallback
    assert [m.name for m in result.molecules] == ["éthanol", "amine"]
    assert _kinds(result) == [(None, "encoding")]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_bom_files_are_decoded(codec: str) -> None:
    text = "smiles\tname\nCCO\téthanol\n"
    data = text.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    result = read_molecules(data, filename="x.tsv")
    assert [m.name for m in result.molecules] == ["éthanol"]
    assert result.encoding_fallback is (codec != "utf-8-sig")


def test_utf16_without_bom_is_a_binary_file_error() -> None:
    with pytest.raises(InvalidMoleculeFile, match="binary"):
        read_molecules("smiles\nCCO\nCCN\nCCC\n".encode("utf-16-le") * 20)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (os.urandom(4096), "binary"),
        (bytes(range(256)) * 8, "binary"),
        (gzip.compress(b"smiles\nCCO\n"), "gzip-compressed"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "PNG image"),
        (b"PK\x03\x04" + b"rest", "ZIP archive"),
        (b"", "empty"),
        (b"  \n\n\t ", "empty"),
        (b"smiles,name\n", "header but no data rows"),
        (b"smiles,name\n\n,\n", "header but no data rows"),
        (b"compound,activity\nCCO,5\n", "no SMILES column"),
    ],
)
def test_file_level_errors(data: bytes, message: str) -> None:
    with pytest.raises(InvalidMoleculeFile, match=message):
        read_molecules(data, filename="upload.csv")


def test_file_over_10_mb_is_refused() -> None:
    data = b"smiles\n" + b"CCO\n" * (11 * 1024 * 1024 // 4)
    assert len(data) > 11 * 1024 * 1024 - 10
    with pytest.raises(InputTooLarge, match="at most 10,485,760"):
        read_molecules(data, filename="big.csv")
    assert issubclass(InputTooLarge, InvalidInput)


def test_nul_bytes_and_extremely_long_lines_are_row_errors() -> None:
    data = (
        b"smiles,name\n"
        b"CCO,good\n"
        b"CC\x00O,nul\n" + b"C" * 50_000 + b",long\n" + b"CCN,x" + b"y" * 200_000 + b"\n"
        b"c1ccccc1,benzene\n"
    )
    result = read_molecules(data, filename="x.csv")
    assert [m.name for m in result.molecules] == ["good", "benzene"]
    assert [m.row for m in result.molecules] == [2, 6]
    assert _kinds(result) == [(3, "nul_byte"), (4, "line_too_long"), (5, "line_too_long")]


def test_sdf_with_broken_blocks_keeps_the_good_ones() -> None:
    good1 = _block("CCO", "ethanol", ID="M1", activity="=HYPERLINK(x)")
    broken_counts = _block("CCN", "amine").replace("  3  2  0", "  9  9  0", 1)
    no_end = "no-end\n  RDKit\n\n  1  0  0  0  0  0  0  0  0  0999 V2000\n"
    bad_valence = _block("CC(C)(C)C", "pentavalent").replace("  1  2  1", "  1  2  2", 1)
    good2 = _block("c1ccccc1O", "phenol")
    result = read_molecules(
        _sdf(good1, broken_counts, no_end, bad_valence, good2), filename="x.sdf"
    )
    assert [(m.row, m.name) for m in result.molecules] == [(1, "ethanol"), (5, "phenol")]
    assert result.molecules[0].identifier == "M1"
    assert result.molecules[0].fields["activity"] == "'=HYPERLINK(x)"
    assert result.molecules[1].smiles == "Oc1ccccc1"
    kinds = _kinds(result)
    assert (2, "broken_block") in kinds and (3, "broken_block") in kinds
    assert (4, "valence") in kinds and (1, "csv_injection") in kinds
    messages = {(i.row, i.kind): i.message for i in result.issues}
    assert "has no 'M  END' line" in messages[(3, "broken_block")]
    assert "counts line declares 9 atoms" in messages[(2, "broken_block")]


def test_mol_file_and_format_sniffing() -> None:
    block = _block("CC(=O)O", "acetic acid")
    result = read_molecules(block.encode(), filename="acid.mol")
    assert result.format == "mol" and [m.name for m in result.molecules] == ["acetic acid"]
    assert read_molecules(_sdf(block)).format == "sdf"
    assert read_molecules(b"SMILES;Name\nCCO;x\n").format == "csv"
    assert read_molecules(b"CCO\nCCN\n").format == "smiles"


def test_chembl_semicolon_export_with_activities() -> None:
    text = (
        '"Molecule ChEMBL ID";"Smiles";"Standard Type";"Standard Relation";'
        '"Standard Value";"Standard Units";"Target ChEMBL ID";"pChEMBL Value"\r\n'
        '"CHEMBL25";"CC(=O)Oc1ccccc1C(=O)O";"IC50";"\'=\'";"1700.0";"nM";"CHEMBL221";"5.77"\r\n'
        '"CHEMBL112";"CC(=O)Nc1ccc(O)cc1";"IC50";"\'>\'";"100";"uM";"CHEMBL230";""\r\n'
        '"CHEMBL1";"CCO";"Ki";"=";"abc";"nM";"CHEMBL2";""\r\n'
        '"CHEMBL2";"";"Ki";"=";"5";"nM";"CHEMBL2";""\r\n'
    )
    result = read_molecules(text.encode(), filename="chembl.csv")
    a, b, c = result.molecules
    assert a.identifier == "CHEMBL25" and a.activity is not None
    assert (a.activity.value, a.activity.unit, a.activity.type, a.activity.relation) == (
        1700.0,
        "nM",
        "IC50",
        "=",
    )
    assert a.activity.target == "CHEMBL221"
    assert b.activity is not None and b.activity.relation == ">"
    assert c.activity is None
    assert _kinds(result) == [(4, "bad_activity"), (5, "missing_smiles")]


def test_parse_smiles_raises_the_row_message() -> None:
    assert parse_smiles(" CCO ").GetNumAtoms() == 3
    with pytest.raises(InvalidMolecule, match="not a valid SMILES"):
        parse_smiles("C1CC")
    with pytest.raises(InvalidMolecule, match="at most 2,000"):
        parse_smiles("C" * 10_000)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=40), min_size=1, max_size=8))
def test_arbitrary_text_never_raises_on_rows(lines: list[str]) -> None:
    data = "\n".join(["smiles,name", *(f"{line},n{i}" for i, line in enumerate(lines))])
    try:
        result = read_molecules(data.encode("utf-8", "surrogatepass"), filename="fuzz.csv")
    except InvalidInput:
        return  # a file-level error (e.g. no data rows, binary-looking text) is allowed
    rows = {m.row for m in result.molecules} | {i.row for i in result.errors}
    assert all(r is not None and r >= 2 for r in rows)


def test_non_ascii_smiles_is_a_row_error() -> None:
    # found by the fuzz test: RDKit cut its log message inside a UTF-8 character
    data = "smiles,name\n000\x80\x80\x80\x80\u0800\U00010000\U00010000,bad\nCCO,ethanol\n"
    result = read_molecules(data.encode("utf-8"), filename="fuzz.csv")
    assert [m.row for m in result.molecules] == [3]
    assert [(i.row, i.kind) for i in result.errors] == [(2, "invalid_smiles")]
    assert "non-ASCII" in result.errors[0].message
