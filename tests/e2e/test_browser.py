"""The user flow in real headless Chromium (Debian's package, driven by playwright-core).

upload a CIF → material page → viewer pixels in all three modes → property cards with
units and ±σ → explorer search by chemical system → batch CSV to 100 % with a download →
similar materials and the phase diagram on the material page, where the property card and
the stability panel show one energy above hull.
Screenshots: test-artifacts/e2e/*.png; the full record: test-artifacts/e2e/result.json.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from pymatgen.core import Lattice, Structure
from pymatgen.io.cif import CifWriter

from tests.e2e.conftest import ARTIFACTS, REPO, require_browser

# the whole flow (uploads, waiting for the worker, a batch job) runs in the first test
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

MIN_PIXELS = 10_000  # the cell box alone is ~4k pixels; a drawn crystal covers tens of thousands
# a displayed number and its unit: "0.0419 eV/atom", "-3.477 eV/atom" (or U+2212 minus)
SHOWN = re.compile(r"^\s*([-\u2212]?\d+(?:\.(\d+))?)\s+(\S.*?)\s*$")


@pytest.fixture(scope="module")
def flow(server: str) -> dict[str, object]:
    require_browser()
    work = Path(tempfile.mkdtemp(prefix="matdiscover-e2e-files-"))
    rutile = Structure.from_spacegroup(
        "P4_2/mnm", Lattice.tetragonal(4.594, 2.959), ["Ti", "O"], [[0, 0, 0], [0.3048, 0.3048, 0]]
    )
    cif = work / "TiO2_rutile.cif"
    CifWriter(rutile).write_file(str(cif))
    # a structure neighbour for the similar-materials panel: SnO2 in the rutile structure
    sno2 = Structure.from_spacegroup(
        "P4_2/mnm", Lattice.tetragonal(4.737, 3.186), ["Sn", "O"], [[0, 0, 0], [0.3056, 0.3056, 0]]
    )
    neighbour = work / "SnO2_rutile.cif"
    CifWriter(sno2).write_file(str(neighbour))
    csv = work / "screen.csv"
    csv.write_text("formula,label\nTiO2,a\nGaN,b\nNaCl,c\nSiC,d\nZnO,e\n", encoding="utf-8")
    proc = subprocess.run(
        ["node", str(REPO / "tests/e2e/flow.mjs"), server, str(ARTIFACTS), str(cif), str(csv)]
        + ["O-Ti", str(neighbour)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    (ARTIFACTS / "flow.log").write_text(proc.stderr, encoding="utf-8")
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_viewer_draws_in_every_mode(flow: dict[str, object]) -> None:
    assert "viewer" not in flow["failures"], flow["failures"]  # type: ignore[operator]
    pixels = flow["pixels"]
    assert isinstance(pixels, dict)
    for mode in ("ball-and-stick", "space-filling", "polyhedra"):
        assert pixels[mode]["nonBackground"] > MIN_PIXELS, (mode, pixels[mode])
    # space-filling spheres are larger than balls: more of the canvas is covered
    assert pixels["space-filling"]["nonBackground"] > pixels["ball-and-stick"]["nonBackground"]
    assert flow["supercellAtoms"] > 40  # type: ignore[operator]
    assert flow["inspector"] and "neighbours" in str(flow["inspector"])


def test_property_cards_show_values_units_and_sigma(flow: dict[str, object]) -> None:
    assert "cards" not in flow["failures"], flow["failures"]  # type: ignore[operator]
    cards = flow["cards"]
    assert isinstance(cards, list) and cards
    for card in cards:
        assert card["value"] not in ("", "—")
        assert card["unit"]
        assert card["sigma"] and card["sigma"].strip().startswith("±"), card
    assert "band_gap" in {c["property"] for c in cards}


def test_explorer_search_by_chemical_system(flow: dict[str, object]) -> None:
    assert "explorer" not in flow["failures"], flow["failures"]  # type: ignore[operator]
    assert flow["explorerRows"] >= 1  # type: ignore[operator]
    assert "q=O-Ti" in str(flow["explorerUrl"])


def test_batch_job_reaches_100_percent_with_download(flow: dict[str, object]) -> None:
    assert "batch" not in flow["failures"], flow["failures"]  # type: ignore[operator]
    batch = flow["batch"]
    assert isinstance(batch, dict)
    assert batch["percent"] == "100%"
    assert batch["downloadStatus"] == 200
    assert batch["downloadLines"] >= 6  # header + 5 rows
    assert "formula" in batch["header"]
    assert str(batch["downloadName"]).endswith(".csv")


def test_other_pages_and_no_console_errors(flow: dict[str, object]) -> None:
    assert "pages" not in flow["failures"], flow["failures"]  # type: ignore[operator]
    assert flow["consoleErrors"] == []
    for name in ("01-front-page", "02-viewer-polyhedra", "03-material-page", "04-explorer"):
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 5000


def test_material_page_similar_materials_and_phase_diagram(flow: dict[str, object]) -> None:
    assert "panels" not in flow["failures"], flow["failures"]  # type: ignore[operator]
    panels = flow["panels"]
    assert isinstance(panels, dict)
    # by structure: the SnO2 uploaded next to it is a neighbour, and the link leads there
    assert panels["structureChecked"] is True
    assert panels["similarLinks"] >= 1
    assert "SnO2" in panels["similarFormulas"]
    assert str(panels["firstSimilarHref"]).startswith("/materials/")
    assert panels["followedFormula"] == panels["similarFormulas"][0]
    # O-Ti has tens of reference phases; the plot draws them and this material
    assert panels["phasePoints"] >= 5
    assert "O-Ti" in panels["phaseLabel"] and "this material" in panels["phaseLabel"]
    assert "eV/atom" in panels["stability"]
    for name in ("09-material-panels", "09b-phase-diagram", "09c-similar-materials"):
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 5000


def test_formula_prediction_cards_on_the_front_page(flow: dict[str, object]) -> None:
    assert "formula" not in flow["failures"], flow["failures"]  # type: ignore[operator]
    cards = flow["formulaCards"]
    assert isinstance(cards, list) and len(cards) >= 1
    for card in cards:
        assert card["unit"] and card["sigma"] and card["sigma"].strip().startswith("±"), card


def _shown(text: str, why: str) -> tuple[float, int, str]:
    """(value, decimals shown, unit) of a displayed "value unit" string."""
    m = SHOWN.match(text)
    assert m, f"not a plain number with a unit: {text!r} ({why})"
    return float(m.group(1).replace("\u2212", "-")), len(m.group(2) or ""), m.group(3)


def test_card_and_panel_show_one_energy_above_hull(flow: dict[str, object]) -> None:
    """Issue 15: the energy-above-hull card and the phase-diagram panel's stability agree."""
    assert "panels" not in flow["failures"], flow["failures"]  # type: ignore[operator]
    panels = flow["panels"]
    assert isinstance(panels, dict)
    card, panel = panels["energyAboveHull"]["card"], panels["energyAboveHull"]["panel"]
    why = f"card shows {card!r}, panel shows {panel!r}"
    card_value, card_decimals, card_unit = _shown(card, why)
    panel_value, panel_decimals, panel_unit = _shown(panel, why)
    assert card_unit == panel_unit == "eV/atom", why
    # the same number to the displayed precision: the ranges the two strings were
    # rounded from overlap (the card shows σ's decimals, the panel three)
    tolerance = 0.5 * 10.0**-card_decimals + 0.5 * 10.0**-panel_decimals + 1e-12
    assert abs(card_value - panel_value) <= tolerance, why
