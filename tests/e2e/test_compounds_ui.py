"""Known compounds in real headless Chromium (issue 12).

The explorer lists one row for LiFePO4; its compound page shows formation energy, band
gap and energy above hull with sources and entry counts; the compound pages of NaCl
(mp-22862) and GaAs (mp-2534) draw the structure and download CIF and POSCAR files of
the right formula; a composition-only reference row's page has no downloads and no
spinner; uploading the downloaded mp-22862 CIF says "Matches mp-22862", and uploading it
again says "Duplicate of #<first>"; no console error, failed request or CSP violation.
Screenshots: test-artifacts/e2e/compounds-*.png (1440x900 and 390x844).
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from pymatgen.core import Structure

from tests.e2e.conftest import ARTIFACTS, require_browser, run_flow

pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]

STRUCTURES = {"mp-22862": "NaCl", "mp-2534": "GaAs"}
MIN_PIXELS = 10_000  # as in test_browser: a drawn crystal covers tens of thousands
LOAD_TIMEOUT_S = 1500  # a fresh data directory loads the full reference data first


def _ready(base: str) -> bool:
    """The background reference load has reached LiFePO4 and the structures we open."""
    try:
        page = httpx.get(f"{base}/api/v1/compounds", params={"formula": "LiFePO4"}, timeout=10)
        if page.status_code != 200 or len(page.json()["items"]) != 1:
            return False
        for mp_id, formula in STRUCTURES.items():
            detail = httpx.get(f"{base}/api/v1/compounds/{formula}", timeout=10)
            if detail.status_code != 200:
                return False
            if mp_id not in {s["source_id"] for s in detail.json()["structures"]}:
                return False
    except httpx.HTTPError:
        return False
    return True


@pytest.fixture(scope="module")
def flow(server: str) -> dict[str, Any]:
    require_browser()
    deadline = time.monotonic() + LOAD_TIMEOUT_S
    while not _ready(server):
        if time.monotonic() > deadline:
            pytest.fail(f"reference data not loaded in {LOAD_TIMEOUT_S} s")
        time.sleep(5)
    pairs = [x for mp_id, formula in STRUCTURES.items() for x in (formula, mp_id)]
    return run_flow("compounds", [server, str(ARTIFACTS), *pairs], timeout=900)


def test_explorer_shows_one_row_for_lifepo4(flow: dict[str, Any]) -> None:
    assert "explorer" not in flow["failures"], flow["failures"]
    explorer = flow["explorer"]
    assert explorer["rows"] == 1, explorer
    assert "q=LiFePO4" in explorer["url"]
    assert explorer["count"].startswith("1 known compound")
    assert "LiFePO4" in explorer["firstRow"]
    for header in ("Formation energy (eV/atom)", "Band gap (eV)", "Structures", "Entries"):
        assert header in explorer["header"]
    assert "mp-" in explorer["firstRow"]  # citable ids of its structures


def test_compound_page_lists_reference_values_with_sources(flow: dict[str, Any]) -> None:
    assert "compound" not in flow["failures"], flow["failures"]
    compound = flow["compound"]
    assert "LiFePO4" in compound["heading"]
    by_property: dict[str, list[dict[str, Any]]] = {}
    for v in compound["values"]:
        by_property.setdefault(v["property"], []).append(v)
    for prop in ("formation_energy", "band_gap", "energy_above_hull"):
        rows = by_property.get(prop)
        assert rows, (prop, sorted(by_property))
        for row in rows:
            assert row["entries"] >= 1
            # the source database and table name are shown
            assert (
                "Materials Project" in row["text"]
                or "AFLOW" in row["text"]
                or "OQMD" in row["text"]
            ), row
        assert any("headline" in r["text"] for r in rows), rows


def test_composition_only_reference_row_has_no_downloads_or_spinner(
    flow: dict[str, Any],
) -> None:
    assert "composition-only" not in flow["failures"], flow["failures"]
    row = flow["compositionOnly"]
    assert ", row " in row["label"]
    assert row["downloads"] == 0 and row["cifLinks"] == 0
    assert row["spinners"] == 0
    assert row["predictButton"] == "Predict"
    assert row["compoundHref"] == "/compounds/LiFePO4"
    assert ", row " in row["source"], row["source"]
    assert "composition only" in row["pageText"]
    assert "Predicting all properties" not in row["pageText"]
    assert "mp_e_form:" not in row["pageText"] and "mp_gap:" not in row["pageText"]


@pytest.mark.parametrize("mp_id", sorted(STRUCTURES))
def test_known_structure_viewer_and_downloads(flow: dict[str, Any], mp_id: str) -> None:
    assert f"structure-{mp_id}" not in flow["failures"], flow["failures"]
    result = flow["structures"][mp_id]
    assert result["pixels"]["nonBackground"] > MIN_PIXELS, result["pixels"]
    assert result["sourceHref"].endswith(f"/materials/{mp_id}")
    formula = STRUCTURES[mp_id]
    for kind in ("cif", "poscar"):
        path = result["files"][kind]["path"]
        structure = Structure.from_file(path)
        assert structure.composition.reduced_formula == formula, (kind, path)
    assert result["files"]["cif"]["suggested"].endswith(".cif")


def test_upload_of_a_known_structure_reports_the_match_and_the_duplicate(
    flow: dict[str, Any],
) -> None:
    assert "upload-match" not in flow["failures"], flow["failures"]
    upload = flow["uploadMatch"]
    assert upload["text"].startswith("Matches mp-22862 (Materials Project"), upload
    assert upload["href"].startswith("/materials/")
    first_id = upload["url"].rsplit("/", 1)[1]
    assert upload["duplicate"] == f"Duplicate of #{first_id}"


def test_unknown_compound_is_a_clear_not_found_without_retries(flow: dict[str, Any]) -> None:
    assert "not-found" not in flow["failures"], flow["failures"]
    assert "No known compound" in flow["notFound"]
    assert flow["notFoundRequests"] == 1


def test_no_console_errors_failed_requests_or_csp_violations(flow: dict[str, Any]) -> None:
    assert flow["consoleErrors"] == []
    assert flow["cspViolations"] == []
    for name in ("explorer", "compound-LiFePO4", "composition-only", "structure-mp-22862"):
        for width in (1440, 390):
            assert (ARTIFACTS / f"compounds-{name}-{width}.png").stat().st_size > 5000
