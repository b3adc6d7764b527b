"""What a person sees (issue 17), in real headless Chromium under the production headers.

Six pages (front, explorer, material, batch, models, phase diagram) at 1440x900 and
390x844 with screenshots in test-artifacts/e2e/visual-*.png; every page: no CSP
violation, console error, uncaught exception, failed request or HTTP error; at 390 px no
page is wider than the viewport; axe-core finds no serious or critical violation. The
models page's parity plots render (pixels of each SVG; Plotly's WebGL scatter needed
eval, which the CSP forbids); the periodic table and the quaternary tetrahedron work
with the keyboard; the phone menu opens and O and N can be picked on a phone. Every
property card of an uploaded rutile is screenshotted at both widths and the images are
read back: the card is drawn (ink on the page, not blank), fits the viewport, no text in it
is cut off, and it shows the value, its ± sigma and the unit in a readable size.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image
from pymatgen.core import Lattice, Structure
from pymatgen.io.cif import CifWriter

from tests.e2e.conftest import ARTIFACTS, require_browser, run_flow

pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]

LOAD_TIMEOUT_S = 1500  # a fresh data directory loads the full reference data first
MIN_PARITY_PIXELS = 2_000


def _ready(base: str) -> bool:
    """The reference hull of Fe-Li-O(-P) has been loaded."""
    try:
        r = httpx.get(f"{base}/api/v1/phase-diagram", params={"chemsys": "Fe-Li-O-P"}, timeout=60)
        return r.status_code == 200 and len(r.json()["stable"]) >= 8
    except httpx.HTTPError:
        return False


def _upload_rutile(base: str) -> int:
    rutile = Structure.from_spacegroup(
        "P4_2/mnm", Lattice.tetragonal(4.594, 2.959), ["Ti", "O"], [[0, 0, 0], [0.3048] * 2 + [0]]
    )
    cif = str(CifWriter(rutile))
    r = httpx.post(
        f"{base}/api/v1/materials",
        files=[("files", ("TiO2_rutile.cif", cif.encode(), "chemical/x-cif"))],
        timeout=60,
    )
    r.raise_for_status()
    material_id = int(r.json()[0]["id"])
    # wait for the automatic prediction so the material page shows its cards
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        p = httpx.get(f"{base}/api/v1/materials/{material_id}/predictions", timeout=30).json()
        if p["latest"] and not p.get("pending"):
            return material_id
        time.sleep(2)
    pytest.fail("the uploaded material was not predicted within 300 s")


@pytest.fixture(scope="module")
def visual(server: str) -> dict[str, Any]:
    require_browser()
    deadline = time.monotonic() + LOAD_TIMEOUT_S
    while not _ready(server):
        if time.monotonic() > deadline:
            pytest.fail(f"reference data not loaded in {LOAD_TIMEOUT_S} s")
        time.sleep(5)
    material_id = _upload_rutile(server)
    return run_flow("visual", [server, str(ARTIFACTS), str(material_id)], timeout=1200)


def test_every_page_renders_at_both_sizes_without_problems(visual: dict[str, Any]) -> None:
    assert visual["failures"] == {}, visual["failures"]
    assert len(visual["pages"]) == 12, sorted(visual["pages"])
    assert visual["problems"] == [], visual["problems"]


def test_no_page_is_wider_than_a_phone(visual: dict[str, Any]) -> None:
    wide = {k: v["overflow"] for k, v in visual["pages"].items() if v["overflow"]["overflow"] > 0}
    assert wide == {}, wide
    assert visual["phone"]["overflow"]["overflow"] == 0, visual["phone"]


def test_axe_finds_no_serious_or_critical_violations(visual: dict[str, Any]) -> None:
    bad = {k: v["axe"] for k, v in visual["pages"].items() if v["axe"]}
    assert bad == {}, json.dumps(bad, indent=1)


def test_parity_plots_render_under_the_csp(visual: dict[str, Any]) -> None:
    assert visual["parity"], visual
    for plot in visual["parity"]:
        assert plot["points"] > 50, plot
        assert plot["pixels"] > MIN_PARITY_PIXELS, plot
    # labels people read, not registry ids
    assert all(not label.startswith("mlp-ens") for label in visual["modelLabels"])


def test_keyboard_and_phone_navigation(visual: dict[str, Any]) -> None:
    kb = visual["keyboard"]
    assert kb["table"] == "Na", kb  # H → Li → Na
    assert kb["picked"] == "Na", kb
    assert kb["tetrahedron"]["before"] != kb["tetrahedron"]["after"], kb
    assert kb["quaternaryRows"] > 10, kb
    phone = visual["phone"]
    assert phone["navHidden"] and phone["navShown"], phone
    assert phone["picked"] == "N-O", phone


def _ink_fraction(png: str) -> float:
    """Share of pixels that are clearly not background (text, borders, interval bars)."""
    grey = np.asarray(Image.open(png).convert("L"), dtype=float)
    return float((grey < 160).mean())


def test_property_card_screenshots(visual: dict[str, Any]) -> None:
    cards = visual["cards"]
    by_width = {w: [c for c in cards if c["width"] == w] for w in (1440, 390)}
    # the same cards at both widths: formation energy, band gap, moduli, ... (at least 5)
    assert len(by_width[1440]) == len(by_width[390]) >= 5, [c["text"][:40] for c in cards]
    for card in cards:
        image = Image.open(card["file"])
        box = card["box"]
        # the screenshot is the card (device pixels = CSS pixels here)
        assert abs(image.width - box["width"]) <= 2 and abs(image.height - box["height"]) <= 2
        assert box["width"] >= 150 and box["height"] >= 60, card
        assert box["x"] >= 0 and box["x"] + box["width"] <= card["width"] + 1, card
        ink = _ink_fraction(card["file"])
        assert 0.01 < ink < 0.5, (card["file"], ink)  # drawn, and not a black box
        assert card["clipped"] == [], card
        assert card["fontPx"] >= 16, card  # the number is the largest thing on the card
        value = (card["value"] or "").strip()
        assert value, card
        if value != "metal":
            assert re.fullmatch(r"\(?[−-]?\d[\d.,\u2009]*", value), card
            assert card["sigma"] and card["sigma"].strip().startswith("±"), card
            assert card["unit"] and card["unit"].strip(), card
