"""The molecule PDF report: a real PDF (read back with poppler's pdftotext and rendered with
pdftoppm), ranked by score, PAINS atoms highlighted, hostile names survive, limits hold."""

from __future__ import annotations

import ast
import io
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from rdkit import Chem

from matdiscover.errors import InputTooLarge, InvalidInput
from matdiscover.reports import (
    MAX_MOLECULES,
    MoleculeReportItem,
    ReportActivity,
    molecule_report_pdf,
)
from matdiscover.reports._text import REPLACEMENT
from matdiscover.science.chemistry import Activity, profile_molecule


def _tool(name: str) -> str:
    """Path of a poppler tool; fail (not skip) when missing: `make chromium` installs it."""
    path = shutil.which(name)
    assert path, f"{name} not found: run `make chromium` (installs Debian poppler-utils)"
    return path


HOSTILE = "=cmd|' /C calc'!A0 \u4e2d\u6587 \U0001f600 \u05e9\u05dc\u05d5\u05dd \u202eevil\x07"
# (name, SMILES, IC50 in nM): a 5-benzylidene rhodanine (PAINS ene_rhod) and two drugs
MOLECULES = [
    ("rhodanine " + HOSTILE, "O=C1NC(=S)SC1=Cc1ccc(Cl)cc1", 120.0),
    ("aspirin", "CC(=O)Oc1ccccc1C(=O)O", 3000.0),
    ("celecoxib", "Cc1ccc(-c2cc(C(F)(F)F)nn2-c2ccc(S(N)(=O)=O)cc2)cc1", 40.0),
]
WHEN = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)


def _items() -> list[MoleculeReportItem]:
    items = []
    for name, smiles, value in MOLECULES:
        activity = Activity(value=value, unit="nM", type="IC50", target="CHEMBL230")
        profile = profile_molecule(Chem.MolFromSmiles(smiles), activity=activity)
        assert profile.p_activity is not None
        listed = ReportActivity(
            target=activity.target,
            type=activity.type,
            relation="=",
            value=value,
            unit="nM",
            p_activity=profile.p_activity.value,
        )
        items.append(MoleculeReportItem.from_profile(profile, name=name, activities=[listed]))
    return items


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[MoleculeReportItem], Path]:
    items = _items()
    pdf = molecule_report_pdf(items, title="Hit list \u2013 CHEMBL230", generated_at=WHEN)
    path = tmp_path_factory.mktemp("report") / "report.pdf"
    path.write_bytes(pdf)
    return items, path


def _text(path: Path, *pages: int) -> str:
    args = [_tool("pdftotext"), "-layout"]
    if pages:
        args += ["-f", str(pages[0]), "-l", str(pages[-1])]
    done = subprocess.run([*args, str(path), "-"], capture_output=True, check=True, timeout=60)
    return done.stdout.decode("utf-8")


def _render(path: Path, page: int, tmp: Path) -> Image.Image:
    stem = tmp / f"page{page}"
    subprocess.run(
        [_tool("pdftoppm"), "-png", "-r", "50", "-f", str(page), "-l", str(page)]
        + [str(path), str(stem)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    (png,) = tmp.glob(f"page{page}*.png")
    return Image.open(png).convert("RGB")


def test_report_is_a_pdf_ranked_by_score(report: tuple[list[MoleculeReportItem], Path]) -> None:
    items, path = report
    assert path.read_bytes().startswith(b"%PDF-")
    page1 = _text(path, 1)
    assert "Hit list \u2013 CHEMBL230" in page1 and "2026-12-05 09:30 UTC" in page1
    expected = sorted(items, key=lambda i: -(i.score.total or 0.0))
    positions = [page1.index(item.name.split()[0]) for item in expected]
    assert positions == sorted(positions), "summary not sorted by score"
    ends = [*positions[1:], len(page1)]
    for item, start, end in zip(expected, positions, ends, strict=True):
        assert item.score.total is not None
        row = page1[start:end]  # the summary row (a long name wraps onto more lines)
        assert f"{item.score.total:.1f}" in row and item.score.classification in row
        assert ("yes" if item.has_pains else "no") in row.split()
    # every molecule has its page with the score total to two decimals (reproducible)
    whole = _text(path)
    for item in items:
        assert f"{item.score.total:.2f} ({item.score.classification})" in whole
        assert item.inchikey in whole and item.descriptors.heavy_atoms > 0
        wp, we, wq = item.score.weights
        assert f"{wp:g} / {we:g} / {wq:g}" in whole


def test_page_one_renders_with_ink(
    report: tuple[list[MoleculeReportItem], Path], tmp_path: Path
) -> None:
    _, path = report
    image = _render(path, 1, tmp_path)
    width, height = image.size
    assert 400 < width < 450 and 550 < height < 620  # A4 at 50 dpi
    dark = int((np.asarray(image.convert("L")) < 128).sum())
    assert dark > 0.003 * width * height, f"page 1 is (nearly) blank: {dark} dark pixels"


def test_pains_atoms_are_highlighted_in_red(
    report: tuple[list[MoleculeReportItem], Path], tmp_path: Path
) -> None:
    items, path = report
    ranked = sorted(items, key=lambda i: -(i.score.total or 0.0))
    pains_pages = {}
    page = 1
    for item in ranked:  # each molecule starts on a new page; find it by its heading
        page += 1
        while item.name.split()[0] not in _text(path, page).split("\n", 1)[0]:
            page += 1
        pains_pages[item.name] = page
    counts: dict[bool, list[int]] = {True: [], False: []}
    for item in ranked:
        image = _render(path, pains_pages[item.name], tmp_path)
        rgb = np.asarray(image).astype(int)
        r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
        red = int(((r > 245) & (abs(g - 102) < 8) & (abs(b - 102) < 8)).sum())  # PAINS_HEX
        counts[item.has_pains].append(red)
    # red atom labels (O) antialias into a few pinkish pixels; the highlight is a fill
    assert min(counts[True]) > 8 * max(counts[False], default=1), counts


def test_hostile_name_is_printed_or_visibly_replaced(
    report: tuple[list[MoleculeReportItem], Path],
) -> None:
    _, path = report
    whole = _text(path)
    assert "=cmd|' /C calc'!A0" in whole  # printed as text, never interpreted
    assert REPLACEMENT in whole  # the CJK characters DejaVu lacks
    assert "\u05e9" in whole or "\u05dd" in whole  # Hebrew drawn (without shaping)
    assert "\u202e" not in whole and "\x07" not in whole  # controls dropped


def test_long_unbroken_name_and_smiles_wrap(tmp_path: Path) -> None:
    (item, *_) = _items()
    long = MoleculeReportItem(**{**item.__dict__, "name": "X" * 500, "svg": None})
    pdf = molecule_report_pdf([long], title="T" * 400, generated_at=WHEN, organisation="Lab")
    path = tmp_path / "long.pdf"
    path.write_bytes(pdf)
    assert "XXXXXXXXXX" in _text(path)


def test_limits_are_clear_errors() -> None:
    (item, *_) = _items()
    with pytest.raises(InputTooLarge, match=f"at most {MAX_MOLECULES} molecules"):
        molecule_report_pdf([item] * (MAX_MOLECULES + 1), title="too many", generated_at=WHEN)
    with pytest.raises(InvalidInput, match="at least one molecule"):
        molecule_report_pdf([], title="none", generated_at=WHEN)


def test_reports_import_no_platform_layer() -> None:
    package = Path(molecule_report_pdf.__code__.co_filename).parent
    forbidden = (
        "matdiscover.db",
        "matdiscover.domains",
        "matdiscover.api",
        "matdiscover.worker",
        "matdiscover.cli",
        "fastapi",
        "sqlalchemy",
        "procrastinate",
    )
    for module in package.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(forbidden), f"{module.name} imports {name}"


def test_a_given_svg_is_used_instead_of_drawing(tmp_path: Path) -> None:
    (item, *_) = _items()
    svg = (
        "<svg xmlns='http://www.w3.org/2000/svg' width='100' height='50' viewBox='0 0 100 50'>"
        "<rect x='0' y='0' width='100' height='50' style='fill:#0000FF'/></svg>"
    )
    given = MoleculeReportItem(**{**item.__dict__, "svg": svg, "mol": None})
    path = tmp_path / "svg.pdf"
    path.write_bytes(molecule_report_pdf([given], title="svg", generated_at=WHEN))
    image = _render(path, 2, tmp_path)
    rgb = np.asarray(image).astype(int)
    blue = int(((rgb[..., 2] > 200) & (rgb[..., 0] < 60) & (rgb[..., 1] < 60)).sum())
    assert blue > 500
    assert io.BytesIO(path.read_bytes()).read(5) == b"%PDF-"
