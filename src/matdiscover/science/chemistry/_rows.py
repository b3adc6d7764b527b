"""Row-level parts of the molecule reader: issue and row records, one-molecule parsing
with its checks, column names and formula neutralisation (used by ``inputs`` and
``_readers``; the public names are re-exported by :mod:`.inputs`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from rdkit import Chem, rdBase

from matdiscover.science.chemistry.efficiency import Activity

InputFormat = Literal["smiles", "csv", "tsv", "sdf", "mol"]
IssueKind = Literal[
    "invalid_smiles",
    "valence",
    "kekulize",
    "sanitization",
    "empty_molecule",
    "too_many_atoms",
    "smiles_too_long",
    "line_too_long",
    "nul_byte",
    "missing_smiles",
    "broken_block",
    "bad_activity",
    "csv_injection",
    "duplicate",
    "encoding",
]


@dataclass(frozen=True)
class InputIssue:
    """A problem found while reading: ``row`` is ``None`` for the whole file."""

    row: int | None
    kind: IssueKind
    message: str
    severity: Literal["error", "warning"] = "error"


@dataclass(frozen=True)
class MoleculeRow:
    """One molecule read from the input (sanitised by RDKit, not yet standardised).

    Attributes:
        row: line number (SMILES/CSV/TSV) or record number (SDF/MOL), 1-based.
        mol: the sanitised RDKit molecule, explicit hydrogens removed.
        smiles: the SMILES as given; for SDF/MOL the canonical SMILES of the record.
        name: molecule name (a ``name`` column, the SMILES line's second field, or the
            SDF title line), neutralised against spreadsheet formulas.
        identifier: an id column (``id``, ``molecule_chembl_id``...) or SD item ``ID``.
        activity: the activity of this row when the table has activity columns.
        fields: the remaining columns / SD data items, as text.
        duplicate_of: row of the first identical molecule (same canonical SMILES).
    """

    row: int
    mol: Chem.Mol
    smiles: str
    name: str | None = None
    identifier: str | None = None
    activity: Activity | None = None
    fields: Mapping[str, str] = field(default_factory=dict)
    duplicate_of: int | None = None


class _RowError(Exception):
    def __init__(self, kind: IssueKind, message: str) -> None:
        super().__init__(message)
        self.kind: IssueKind = kind
        self.message = message


def _first_rdkit_message(log: str) -> str:
    for line in log.splitlines():
        text = re.sub(r"^\[\d\d:\d\d:\d\d\]\s*", "", line).strip()
        if text:
            return text[:200]
    return ""


def _finish(mol: Chem.Mol, *, max_heavy_atoms: int) -> Chem.Mol:
    heavy = mol.GetNumHeavyAtoms()  # atoms with atomic number > 1 (no sanitising needed)
    if mol.GetNumAtoms() == 0 or heavy == 0:
        raise _RowError("empty_molecule", "the molecule has no heavy atoms")
    if heavy > max_heavy_atoms:
        raise _RowError(
            "too_many_atoms", f"{heavy} heavy atoms; at most {max_heavy_atoms} are accepted"
        )
    try:
        with rdBase.BlockLogs():  # the exception carries the message
            Chem.SanitizeMol(mol)
    except Chem.AtomValenceException as exc:
        raise _RowError("valence", f"valence error: {str(exc)[:200]}") from None
    except Chem.KekulizeException as exc:
        raise _RowError("kekulize", f"aromaticity error: {str(exc)[:200]}") from None
    except Exception as exc:  # MolSanitizeException and rare RDKit runtime errors
        raise _RowError("sanitization", f"RDKit could not sanitise it: {str(exc)[:200]}") from None
    with rdBase.BlockLogs():
        return Chem.RemoveHs(mol)


def _mol_from_smiles(smiles: str, *, max_heavy_atoms: int, max_smiles_length: int) -> Chem.Mol:
    if len(smiles) > max_smiles_length:
        raise _RowError(
            "smiles_too_long",
            f"SMILES of {len(smiles):,} characters; at most {max_smiles_length:,} are accepted",
        )
    if "\x00" in smiles:
        raise _RowError("nul_byte", "the SMILES contains a NUL byte")
    if not smiles.isascii():
        # SMILES is ASCII; RDKit would also cut its log message inside a UTF-8 character
        bad = next(c for c in smiles if not c.isascii())
        raise _RowError("invalid_smiles", f"not a valid SMILES (non-ASCII character {bad!r} in it)")
    with rdBase.CaptureErrorLog() as log:
        mol = Chem.MolFromSmiles(smiles, sanitize=False)
    if mol is None:
        try:
            detail = _first_rdkit_message(log.messages)
        except UnicodeDecodeError:
            detail = ""
        raise _RowError("invalid_smiles", f"not a valid SMILES ({detail or 'parse error'})")
    return _finish(mol, max_heavy_atoms=max_heavy_atoms)


_SMILES_COLUMNS = ("smiles", "canonical_smiles", "smiles_string", "isomeric_smiles", "smi")
_NAME_COLUMNS = ("name", "molecule_name", "compound_name", "pref_name", "title")
_ID_COLUMNS = ("id", "compound_id", "molecule_chembl_id", "chembl_id", "identifier", "mol_id")
_VALUE_COLUMNS = ("standard_value", "activity_value", "value", "activity")
_UNIT_COLUMNS = ("standard_units", "units", "unit", "activity_units", "activity_unit")
_TYPE_COLUMNS = ("standard_type", "activity_type", "type")
_RELATION_COLUMNS = ("standard_relation", "relation")
_TARGET_COLUMNS = ("target_chembl_id", "target_id", "target")
_PCHEMBL_COLUMNS = ("pchembl_value", "pactivity")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _key(column: str) -> str:
    return re.sub(r"[\s\-]+", "_", column.strip().lower())


def _neutralise(text: str) -> tuple[str, bool]:
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text, True
    return text, False


def _injection_warning(row: int) -> InputIssue:
    return InputIssue(
        row,
        "csv_injection",
        "a text field starts like a spreadsheet formula; it was prefixed with an apostrophe",
        "warning",
    )


def _pick(columns: Mapping[str, str], choices: tuple[str, ...]) -> str | None:
    for choice in choices:
        if choice in columns:
            return columns[choice]
    return None
