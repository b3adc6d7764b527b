"""Reports: documents built from science-core results (presentation only).

Pure functions that turn results into files; they may import :mod:`matdiscover.science`
but never the web, database or queue layers.

- :func:`molecule_report_pdf`: the PDF report of scored molecules.
"""

from __future__ import annotations

from matdiscover.reports.molecule_report import (
    MAX_MOLECULES,
    MoleculeReportItem,
    ReportActivity,
    molecule_report_pdf,
)

__all__ = ["MAX_MOLECULES", "MoleculeReportItem", "ReportActivity", "molecule_report_pdf"]
