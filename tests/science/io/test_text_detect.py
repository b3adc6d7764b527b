"""Decoding uploaded bytes and recognising formats."""

from __future__ import annotations

import pytest

from matdiscover.errors import InvalidStructure
from matdiscover.science.io import detect_format, read_structures
from matdiscover.science.io.text import decode_text
from tests.science.structure_fixtures import REAL_DIR

POSCAR = b"Cs Cl\n1.0\n4.2 0 0\n0 4.2 0\n0 0 4.2\nCs Cl\n1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n"


def test_utf8_bom_and_crlf() -> None:
    text, warnings = decode_text(b"\xef\xbb\xbfdata_x\r\n_cell_length_a 1\r\n", "x.cif")
    assert text == "data_x\n_cell_length_a 1\n" and warnings == []


def test_latin1_fallback_warns() -> None:
    text, warnings = decode_text("# Müller, Ångström\ndata_x\n".encode("latin-1"), "x.cif")
    assert "Müller" in text and "Latin-1" in warnings[0]


def test_utf16_with_bom() -> None:
    text, warnings = decode_text("data_x\n".encode("utf-16"), "x.cif")
    assert text == "data_x\n" and "UTF-16" in warnings[0]


def test_real_cif_with_latin1_author_line_parses() -> None:
    """An ICSD-style Latin-1 export: real CIF content plus a Latin-1 author name."""
    original = (REAL_DIR / "Rutile.cif").read_text()
    data = original.encode("latin-1").replace(
        b"\n", "\n# Autoren: Müller, Jürgen; Ångström\n".encode("latin-1"), 1
    )
    parsed = read_structures(data, "Rutile_latin1.cif").structures[0]
    assert parsed.reduced_formula == "TiO2"
    assert any("Latin-1" in w for w in parsed.warnings)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"data_x\x00\x00", "NUL bytes"),
        (b"\x89PNG\r\n\x1a\n....", "PNG image"),
        (b"%PDF-1.5 ...", "PDF document"),
        (b"\x1f\x8b\x08\x00....", "gzip"),
        (bytes(range(1, 32)) * 20, "control characters"),
    ],
)
def test_binary_and_empty_rejected(data: bytes, message: str) -> None:
    with pytest.raises(InvalidStructure, match=message):
        decode_text(data, "x.cif")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("NaCl.cif", "cif"),
        ("magnetic.MCIF", "cif"),
        ("POSCAR", "poscar"),
        ("CONTCAR", "poscar"),
        ("POSCAR-unitcell", "poscar"),
        ("run1_CONTCAR", "poscar"),
        ("Si.vasp", "poscar"),
        ("Si.poscar", "poscar"),
        ("traj.xyz", "xyz"),
        ("traj.extxyz", "xyz"),
        ("mp-149.json", "json"),
        ("dir/sub/POSCAR", "poscar"),
    ],
)
def test_detect_by_name(name: str, expected: str) -> None:
    assert detect_format(name, b"") == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"data_NaCl\n_cell_length_a 5.64\n", "cif"),
        (POSCAR, "poscar"),
        (b'2\nLattice="4 0 0 0 4 0 0 0 4"\nCs 0 0 0\nCl 2 2 2\n', "xyz"),
        (b'{"lattice": {}, "sites": []}', "json"),
    ],
)
def test_detect_by_content(data: bytes, expected: str) -> None:
    assert detect_format("upload.txt", data) == expected
    assert detect_format("upload", data) == expected


def test_detect_unknown_and_non_text_extensions() -> None:
    with pytest.raises(InvalidStructure, match="unknown structure file format"):
        detect_format("notes.txt", b"hello world\n")
    with pytest.raises(InvalidStructure, match="'.docx' files are not structure files"):
        detect_format("paper.docx", b"PK\x03\x04")


def test_file_too_large() -> None:
    from matdiscover.errors import InputTooLarge
    from matdiscover.science.io import ParseLimits

    with pytest.raises(InputTooLarge, match="more than the limit"):
        read_structures(POSCAR, "POSCAR", limits=ParseLimits(max_bytes=10))
