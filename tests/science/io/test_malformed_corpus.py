"""Every synthetic malformed file raises the specific error listed in EXPECTED.json."""

from __future__ import annotations

import json

import pytest

from matdiscover.errors import InputTooLarge, InvalidInput
from matdiscover.science.io import is_zip, read_structures, safe_archive_members
from tests.science.structure_fixtures import MALFORMED_DIR

EXPECTED: dict[str, str] = json.loads((MALFORMED_DIR / "EXPECTED.json").read_text())
NOT_DATA = {"EXPECTED.json", "README.md", "make_corpus.py"}


def test_every_file_has_an_expectation() -> None:
    files = {p.name for p in MALFORMED_DIR.iterdir() if p.is_file() and p.name not in NOT_DATA}
    assert files == set(EXPECTED)
    assert len(EXPECTED) >= 24


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_file(name: str) -> None:
    data = (MALFORMED_DIR / name).read_bytes()
    with pytest.raises(InvalidInput) as info:
        if name.endswith(".zip"):
            assert is_zip(data) or name == "zip_corrupt.zip"
            safe_archive_members(data)
        else:
            read_structures(data, name)
    assert EXPECTED[name] in info.value.message
    if "limit" in EXPECTED[name] or "members" in EXPECTED[name]:
        assert isinstance(info.value, InputTooLarge)


def test_corpus_regenerates_identically() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_corpus", MALFORMED_DIR / "make_corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, (data, substring) in module.build().items():
        assert (MALFORMED_DIR / name).read_bytes() == data, name
        assert EXPECTED[name] == substring
