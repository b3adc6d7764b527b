"""Safe .zip extraction."""

from __future__ import annotations

import io
import zipfile

import pytest

from matdiscover.errors import InputTooLarge, InvalidInput
from matdiscover.science.io import ParseLimits, is_zip, safe_archive_members


def make_zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_members_flattened_filtered_and_deduplicated() -> None:
    data = make_zip(
        {
            "runs/": b"",
            "runs/a/POSCAR": b"A",
            "runs/b/POSCAR": b"B",
            "NaCl.cif": b"C",
            "__MACOSX/._NaCl.cif": b"junk",
            ".DS_Store": b"junk",
            "runs/.hidden/x.cif": b"junk",
        }
    )
    assert is_zip(data)
    assert safe_archive_members(data) == [
        ("POSCAR", b"A"),
        ("POSCAR (2)", b"B"),
        ("NaCl.cif", b"C"),
    ]


def test_backslash_traversal_rejected() -> None:
    with pytest.raises(InvalidInput, match=r"'\.\.\\evil\.cif'.*path traversal"):
        safe_archive_members(make_zip({"..\\evil.cif": b"x"}))


def test_total_uncompressed_size_enforced_while_streaming() -> None:
    data = make_zip({f"m{i}.cif": b"a" * 4000 for i in range(5)})
    limits = ParseLimits(max_bytes=5000, max_archive_bytes=10_000)
    with pytest.raises(InputTooLarge, match="reached at member 'm2.cif'"):
        safe_archive_members(data, limits=limits)


def test_lying_header_does_not_bypass_the_cap() -> None:
    """A member whose header claims 10 bytes but inflates to 1 MB is stopped by the stream cap."""
    data = bytearray(make_zip({"bomb.cif": b"\0" * 1_000_000}))
    # patch the uncompressed size in the central directory entry to 10 bytes
    central = data.rindex(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")
    with pytest.raises(InvalidInput):
        safe_archive_members(bytes(data), limits=ParseLimits(max_bytes=1000))


def test_is_zip() -> None:
    assert is_zip(make_zip({})) and not is_zip(b"data_x\n")
