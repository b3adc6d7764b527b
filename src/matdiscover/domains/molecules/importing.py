"""Molecule uploads and ChEMBL activity imports: read a file, store the good rows.

Policy (both): every row that can be stored is stored; every other row is reported with
its row number (1-based line for SMILES lists and tables, the header being line 1; record
number for SDF). A file whose rows are all bad stores nothing and is rejected
(:attr:`Imported.rejected`, a 422 in the API). A file that cannot be read as a whole
(empty, binary, no SMILES column, a header without rows) raises
:class:`~matdiscover.science.chemistry.InvalidMoleculeFile`; one above the size limit
raises :class:`~matdiscover.errors.InputTooLarge`.

An activity import (ChEMBL CSV/TSV export: ``Smiles``, ``Molecule ChEMBL ID``,
``Standard Type``, ``Standard Relation``, ``Standard Value``, ``Standard Units``,
``Target ChEMBL ID``, ``Assay ChEMBL ID``, ``Document ChEMBL ID``; ChEMBL's ``;``
separator is recognised) also requires a usable activity on every row: a row without one
is an error (``bad_activity``). Molecules are created or matched by InChIKey; the molecule
name is the ChEMBL id when the file has no name column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from matdiscover.domains.identity import Caller
from matdiscover.domains.molecules import service
from matdiscover.domains.molecules.service import ActivityMeta, AddResult
from matdiscover.science.chemistry import (
    InputIssue,
    MoleculeRow,
    ScoreSettings,
    p_activity,
    read_molecules,
)
from matdiscover.science.chemistry.errors import InvalidActivity

_ASSAY = ("assay_chembl_id", "assay_id")
_DOCUMENT = ("document_chembl_id", "document_id")


@dataclass(frozen=True)
class Imported:
    format: str
    encoding: str
    result: AddResult
    issues: tuple[InputIssue, ...]

    @property
    def rejected(self) -> bool:
        return not self.result.stored


def _field(fields: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    """A column by its normalised name ("Assay ChEMBL ID" -> ``assay_chembl_id``)."""
    by_key = {re.sub(r"[\s\-]+", "_", k.strip().lower()): v for k, v in fields.items()}
    for name in names:
        if by_key.get(name):
            return by_key[name].lstrip("'")
    return None


def _outcome_issues(result: AddResult) -> list[InputIssue]:
    issues = []
    for o in result.outcomes:
        if o.error:
            issues.append(InputIssue(o.row, "sanitization", o.error))
        elif o.warning:
            issues.append(InputIssue(o.row, "bad_activity", o.warning, "warning"))
    return issues


def import_file(
    session: Session,
    caller: Caller,
    data: bytes,
    filename: str,
    *,
    activities: bool,
    max_bytes: int,
    score: ScoreSettings,
) -> Imported:
    """Read ``data`` and store its molecules (``activities``: a ChEMBL activity import)."""
    read = read_molecules(data, filename=filename, max_bytes=max_bytes)
    issues = list(read.issues)
    rows: list[MoleculeRow] = []
    meta: list[ActivityMeta | None] = []
    for row in read.molecules:
        if activities:
            if row.activity is None:
                if not any(i.row == row.row and i.kind == "bad_activity" for i in issues):
                    issues.append(InputIssue(row.row, "bad_activity", "the row has no activity"))
                else:  # the reader's warning becomes the row's error
                    issues = [
                        replace(i, severity="error")
                        if i.row == row.row and i.kind == "bad_activity"
                        else i
                        for i in issues
                    ]
                continue
            try:
                p_activity(row.activity)
            except InvalidActivity as exc:
                issues.append(InputIssue(row.row, "bad_activity", exc.message))
                continue
            if row.name is None and row.identifier:
                row = replace(row, name=row.identifier)
        rows.append(row)
        meta.append(
            ActivityMeta(
                assay_id=_field(row.fields, _ASSAY), document_id=_field(row.fields, _DOCUMENT)
            )
        )
    result = service.add_molecules(
        session,
        caller,
        rows,
        source="upload",
        activity_source="chembl-import" if activities else "user",
        meta=meta,
        score=score,
    )
    issues += _outcome_issues(result)
    issues.sort(key=lambda i: (i.row or 0, i.severity))
    return Imported(read.format, read.encoding, result, tuple(issues))
