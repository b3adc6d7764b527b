"""PDF report of scored molecules (fpdf2), a pure function of its inputs.

Page 1 carries the title, the generation time, the organisation and a summary table sorted by
score (rank, name, score, class, pActivity, LE, LLE, SEI, BEI, PAINS yes/no). Then one page
per molecule: the 2D depiction with the alert atoms highlighted (the chemistry core's
:func:`~matdiscover.science.chemistry.depict_svg`, embedded as vector graphics), identity
(canonical SMILES, InChIKey), descriptors with units, alerts with their matched atoms, the
score components with the weights and the formula (so the total can be recomputed by hand),
the ligand-efficiency indices and the activities.

Text comes from users (names can be anything): it is drawn as plain text in DejaVu Sans, with
characters the font lacks shown as U+FFFD (see :mod:`._text`).

Example:
    >>> from datetime import UTC, datetime
    >>> from rdkit import Chem
    >>> from matdiscover.science.chemistry import Activity, profile_molecule
    >>> profile = profile_molecule(Chem.MolFromSmiles("Oc1ccccc1O"),
    ...                            activity=Activity(value=3.0, unit="uM", type="IC50"))
    >>> item = MoleculeReportItem.from_profile(profile, name="catechol")
    >>> when = datetime(2026, 12, 5, tzinfo=UTC)
    >>> pdf = molecule_report_pdf([item], title="Hits", generated_at=when)
    >>> pdf[:5]
    b'%PDF-'
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from fpdf import FPDF
from fpdf.enums import TableCellFillMode, WrapMode, XPos, YPos
from fpdf.fonts import FontFace
from rdkit import Chem

from matdiscover.errors import InputTooLarge, InvalidInput
from matdiscover.reports._text import FONT_BOLD, FONT_REGULAR, clean, shorten
from matdiscover.science.chemistry import (
    Alert,
    EfficiencyIndices,
    MolecularDescriptors,
    MoleculeProfile,
    ScoreComponents,
    depict_svg,
)

__all__ = ["MAX_MOLECULES", "MoleculeReportItem", "ReportActivity", "molecule_report_pdf"]

#: the most molecules one report holds (one page each)
MAX_MOLECULES = 500

_FONT = "DejaVu"
_HEAD = FontFace(emphasis="BOLD", fill_color=(230, 230, 230))
_DESCRIPTOR_ROWS = (
    ("mw", "molecular weight", "g/mol"),
    ("tpsa", "TPSA", "Å²"),
    ("clogp", "cLogP (Crippen)", ""),
    ("hbd", "H-bond donors", ""),
    ("hba", "H-bond acceptors", ""),
    ("rotatable_bonds", "rotatable bonds", ""),
    ("heavy_atoms", "heavy atoms", ""),
    ("n_o_count", "N + O atoms", ""),
    ("qed", "QED", ""),
)
_INDEX_ROWS = (
    ("le", "LE", "kcal/mol per heavy atom"),
    ("lle", "LLE", "pActivity − cLogP"),
    ("sei", "SEI", "pActivity per 100 Å² TPSA"),
    ("bei", "BEI", "pActivity per kDa"),
    ("nsei", "NSEI", "pActivity per N+O atom"),
    ("nbei", "NBEI", "pActivity per heavy atom"),
    ("n_bei", "nBEI", "pActivity + log10(heavy atoms)"),
)


@dataclass(frozen=True)
class ReportActivity:
    """One measured activity as listed in the report (``p_activity`` ``None``: unusable)."""

    target: str | None
    type: str | None
    relation: str
    value: float
    unit: str
    p_activity: float | None


@dataclass(frozen=True)
class MoleculeReportItem:
    """One molecule of a report.

    Attributes:
        name: the name as given (any text).
        smiles: canonical SMILES of the standardised parent.
        inchikey: its standard InChIKey.
        descriptors: its descriptors.
        alerts: its interference alerts (atom indices of ``mol``).
        score: the O[Q/P/L]A score components, weights, total and class.
        indices: ligand-efficiency indices of the headline activity (``None``: no activity).
        activities: every activity to list.
        mol: the molecule the alert atoms refer to, drawn when ``svg`` is not given.
        svg: a ready depiction (e.g. stored with the molecule).
    """

    name: str
    smiles: str
    inchikey: str
    descriptors: MolecularDescriptors
    alerts: tuple[Alert, ...]
    score: ScoreComponents
    indices: EfficiencyIndices | None = None
    activities: tuple[ReportActivity, ...] = ()
    mol: Chem.Mol | None = None
    svg: str | None = None

    @classmethod
    def from_profile(
        cls,
        profile: MoleculeProfile,
        *,
        name: str,
        activities: Sequence[ReportActivity] = (),
    ) -> MoleculeReportItem:
        """The item of a :class:`~matdiscover.science.chemistry.MoleculeProfile`."""
        return cls(
            name=name,
            smiles=profile.standard.smiles,
            inchikey=profile.standard.inchikey,
            descriptors=profile.descriptors,
            alerts=profile.alerts,
            score=profile.score,
            indices=profile.indices,
            activities=tuple(activities),
            mol=profile.standard.mol,
        )

    @property
    def has_pains(self) -> bool:
        return any(a.is_pains for a in self.alerts)


def _number(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _ranked(items: Sequence[MoleculeReportItem]) -> list[MoleculeReportItem]:
    """Best score first; unscored last; ties by name."""
    return sorted(
        items,
        key=lambda i: (i.score.total is None, -(i.score.total or 0.0), i.name),
    )


class _Report(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.report_title = title
        self.add_font(_FONT, "", str(FONT_REGULAR))
        self.add_font(_FONT, "B", str(FONT_BOLD))
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(15, 15, 15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(_FONT, size=8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, shorten(self.report_title, 90), align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"page {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str, size: float = 13) -> None:
        self.set_font(_FONT, "B", size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(_FONT, size=9)
        self.ln(1)

    def line_text(self, text: str, *, anywhere: bool = False) -> None:
        """A paragraph; ``anywhere``: may break inside words (SMILES, keys)."""
        self.multi_cell(
            0,
            4.5,
            text,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
            wrapmode=WrapMode.CHAR if anywhere else WrapMode.WORD,
            align="L",
        )

    def grid(
        self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]
    ) -> None:
        self.set_font(_FONT, size=8)
        with self.table(
            col_widths=tuple(widths),
            headings_style=_HEAD,
            line_height=4.5,
            text_align="LEFT",
            cell_fill_color=(247, 247, 247),
            cell_fill_mode=TableCellFillMode.ROWS,
            wrapmode=WrapMode.CHAR,
        ) as table:
            head = table.row()
            for text in header:
                head.cell(text)
            for values in rows:
                row = table.row()
                for text in values:
                    row.cell(text)
        self.set_font(_FONT, size=9)
        self.ln(2)


def _summary(pdf: _Report, ranked: Sequence[MoleculeReportItem]) -> None:
    rows = []
    for rank, item in enumerate(ranked, start=1):
        idx = item.indices
        rows.append(
            (
                str(rank),
                clean(shorten(item.name, 60)),
                _number(item.score.total, 1),
                item.score.classification,
                _number(idx.p_activity if idx else None),
                _number(idx.le if idx else None),
                _number(idx.lle if idx else None),
                _number(idx.sei if idx else None),
                _number(idx.bei if idx else None),
                "yes" if item.has_pains else "no",
            )
        )
    pdf.grid(
        ("#", "name", "score", "class", "pAct.", "LE", "LLE", "SEI", "BEI", "PAINS"),
        rows,
        (8, 52, 13, 17, 13, 12, 12, 12, 12, 13),
    )


def _depiction(pdf: _Report, item: MoleculeReportItem) -> None:
    svg = item.svg
    if svg is None and item.mol is not None:
        svg = depict_svg(item.mol, alerts=item.alerts, width=400, height=260)
    if svg is None:
        pdf.line_text("(no depiction)")
        return
    pdf.image(io.BytesIO(svg.encode()), x=pdf.l_margin, w=80)
    pdf.set_font(_FONT, size=7)
    pdf.line_text("highlighted: red = PAINS alert atoms, amber = Brenk/NIH alert atoms")
    pdf.set_font(_FONT, size=9)


def _score_rows(score: ScoreComponents) -> list[tuple[str, str]]:
    wp, we, wq = score.weights
    rows = [
        ("potency (0-1)", _number(score.potency, 3)),
        ("efficiency (0-1)", _number(score.efficiency, 3)),
        ("quality (0-1)", _number(score.quality, 3)),
        ("weights potency / efficiency / quality", f"{wp:g} / {we:g} / {wq:g}"),
    ]
    for name, value in score.efficiency_terms.items():
        rows.append((f"efficiency term {name}", _number(value, 3)))
    rows.append(("alert penalty", _number(score.alert_penalty, 3)))
    rows.append(("property penalty", _number(score.property_penalty, 3)))
    if score.property_violations:
        rows.append(("property violations", clean(", ".join(score.property_violations))))
    rows.append(
        (
            "total = 100 (wp P + we E + wq Q) / (wp + we + wq)",
            _number(score.total, 2) + f" ({score.classification})",
        )
    )
    if score.censored:
        rows.append(("censored activity", "yes (relation other than '=')"))
    for note in score.notes:
        rows.append(("note", clean(note)))
    return rows


def _molecule(pdf: _Report, rank: int, item: MoleculeReportItem) -> None:
    pdf.add_page()
    pdf.heading(f"{rank}. {clean(shorten(item.name, 300)) or '(unnamed)'}", size=12)
    pdf.line_text(f"SMILES: {clean(item.smiles)}", anywhere=True)
    pdf.line_text(f"InChIKey: {clean(item.inchikey) or '–'}", anywhere=True)
    pdf.ln(1)
    _depiction(pdf, item)
    d = item.descriptors
    desc_rows = []
    for field, label, unit in _DESCRIPTOR_ROWS:
        value = getattr(d, field)
        text = str(value) if isinstance(value, int) else f"{value:.3f}"
        desc_rows.append((label, text, unit))
    pdf.heading("Descriptors", size=10)
    pdf.grid(("descriptor", "value", "unit"), desc_rows, (70, 40, 40))
    pdf.heading("Alerts", size=10)
    if item.alerts:
        alert_rows = [
            (a.catalog, clean(a.family), clean(a.name), ", ".join(map(str, a.atoms)))
            for a in item.alerts
        ]
        pdf.grid(("catalogue", "family", "filter", "atoms"), alert_rows, (22, 38, 50, 70))
    else:
        pdf.line_text("none (PAINS A/B/C, Brenk, NIH)")
        pdf.ln(1)
    pdf.heading("Score", size=10)
    pdf.grid(("component", "value"), _score_rows(item.score), (110, 70))
    pdf.heading("Efficiency indices", size=10)
    if item.indices is not None:
        idx = item.indices
        rows = [("pActivity", _number(idx.p_activity, 2), "-log10(molar)")]
        rows += [(label, _number(getattr(idx, f), 3), unit) for f, label, unit in _INDEX_ROWS]
        pdf.grid(("index", "value", "unit / definition"), rows, (40, 30, 110))
    else:
        pdf.line_text("no usable activity")
        pdf.ln(1)
    pdf.heading("Activities", size=10)
    if item.activities:
        act_rows = [
            (
                clean(a.target or "–"),
                clean(a.type or "–"),
                clean(a.relation),
                f"{a.value:g}",
                clean(a.unit or "–"),
                _number(a.p_activity, 2),
            )
            for a in item.activities
        ]
        pdf.grid(
            ("target", "type", "rel.", "value", "unit", "pActivity"),
            act_rows,
            (50, 25, 15, 30, 25, 35),
        )
    else:
        pdf.line_text("none recorded")


def molecule_report_pdf(
    molecules: Sequence[MoleculeReportItem],
    *,
    title: str,
    generated_at: datetime,
    organisation: str | None = None,
) -> bytes:
    """Build the PDF report of ``molecules`` and return its bytes.

    Args:
        molecules: the molecules, in any order (the report ranks them by score).
        title: report title (any text).
        generated_at: the generation time printed on page 1 and stored as the PDF's
            creation date (a naive time is taken as UTC).
        organisation: printed under the title when given.

    Raises:
        InvalidInput: no molecules.
        InputTooLarge: more than :data:`MAX_MOLECULES` molecules.
    """
    if not molecules:
        raise InvalidInput("a report needs at least one molecule")
    if len(molecules) > MAX_MOLECULES:
        raise InputTooLarge(
            f"a report holds at most {MAX_MOLECULES} molecules; {len(molecules):,} were "
            "given (filter or split the list)"
        )
    when = generated_at if generated_at.tzinfo else generated_at.replace(tzinfo=UTC)
    safe_title = clean(title) or "Molecule report"
    pdf = _Report(safe_title)
    pdf.set_title(safe_title)
    pdf.set_creator("MatDiscover")
    pdf.set_creation_date(when)
    pdf.add_page()
    pdf.heading(safe_title, size=16)
    pdf.line_text(f"generated {when.astimezone(UTC):%Y-%m-%d %H:%M} UTC")
    if organisation:
        pdf.line_text(f"organisation: {clean(organisation)}")
    pdf.line_text(
        f"{len(molecules)} molecule(s), ranked by O[Q/P/L]A score; pActivity = "
        "-log10(molar activity); LE in kcal/mol per heavy atom; SEI per 100 Å² TPSA; "
        "BEI per kDa"
    )
    pdf.ln(2)
    ranked = _ranked(molecules)
    _summary(pdf, ranked)
    for rank, item in enumerate(ranked, start=1):
        _molecule(pdf, rank, item)
    return bytes(pdf.output())
