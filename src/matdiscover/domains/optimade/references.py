"""The works our shipped data come from, served as OPTIMADE ``references``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

#: when this list last changed
LAST_MODIFIED = datetime(2025, 1, 1, tzinfo=UTC)

REFERENCES: list[dict[str, Any]] = [
    {
        "id": "dunn2020matbench",
        "bib_type": "article",
        "authors": ["A. Dunn", "Q. Wang", "A. Ganose", "D. Dopp", "A. Jain"],
        "title": "Benchmarking materials property prediction methods: the Matbench test set "
        "and Automatminer reference algorithm",
        "journal": "npj Computational Materials",
        "volume": "6",
        "pages": "138",
        "year": "2020",
        "doi": "10.1038/s41524-020-00406-3",
    },
    {
        "id": "ward2018matminer",
        "bib_type": "article",
        "authors": ["L. Ward", "A. Dunn", "A. Faghaninia", "N. E. R. Zimmermann", "A. Jain"],
        "title": "Matminer: An open source toolkit for materials data mining",
        "journal": "Computational Materials Science",
        "volume": "152",
        "pages": "60-69",
        "year": "2018",
        "doi": "10.1016/j.commatsci.2018.05.018",
    },
    {
        "id": "mehl2017aflowprototypes",
        "bib_type": "article",
        "authors": ["M. J. Mehl", "D. Hicks", "C. Toher", "O. Levy", "S. Curtarolo"],
        "title": "The AFLOW Library of Crystallographic Prototypes: Part 1",
        "journal": "Computational Materials Science",
        "volume": "136",
        "pages": "S1-S828",
        "year": "2017",
        "doi": "10.1016/j.commatsci.2017.01.017",
    },
    {
        "id": "lejaeghere2016delta",
        "bib_type": "article",
        "authors": ["K. Lejaeghere", "G. Bihlmayer", "T. Björkman", "S. Cottenier"],
        "title": "Reproducibility in density functional theory calculations of solids",
        "journal": "Science",
        "volume": "351",
        "pages": "aad3000",
        "year": "2016",
        "doi": "10.1126/science.aad3000",
    },
]
COLUMNS = ("id", "bib_type", "title", "journal", "volume", "pages", "year", "doi")


def values_sql() -> tuple[str, dict[str, Any]]:
    """The references as a ``VALUES`` list (alias ``r``) with bound parameters."""
    rows = []
    params: dict[str, Any] = {"ref_modified": LAST_MODIFIED}
    for i, ref in enumerate(REFERENCES):
        cells = []
        for column in COLUMNS:
            params[f"ref_{i}_{column}"] = ref[column]
            cells.append(f"CAST(:ref_{i}_{column} AS text)")
        rows.append("(" + ", ".join(cells) + ", CAST(:ref_modified AS timestamptz))")
    names = ", ".join((*COLUMNS, "last_modified"))
    return f"(VALUES {', '.join(rows)}) AS r({names})", params


def by_id() -> dict[str, dict[str, Any]]:
    return {ref["id"]: ref for ref in REFERENCES}
