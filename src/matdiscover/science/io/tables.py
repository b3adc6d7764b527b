"""Reading composition tables (CSV, TSV, Parquet) for batch screening.

Only the table shape is checked here (a ``formula`` column, row and size limits);
each row's formula is validated later, row by row, so that a bad row becomes an
entry in the error report instead of failing the whole table.
"""

from __future__ import annotations

import io
from typing import Literal

import pandas as pd

from matdiscover.errors import InputTooLarge, InvalidInput

TableFormat = Literal["csv", "tsv", "parquet"]
FORMULA_COLUMN_NAMES = ("formula", "composition", "formula_pretty", "pretty_formula")


def detect_table_format(filename: str, data: bytes) -> TableFormat:
    """Table format from the file name, falling back to the content."""
    name = filename.lower()
    if name.endswith((".parquet", ".pq")) or data[:4] == b"PAR1":
        return "parquet"
    if name.endswith((".tsv", ".tab")):
        return "tsv"
    if name.endswith((".csv", ".txt")) or not name.rpartition(".")[1]:
        head = data[:4096].decode("utf-8", errors="replace")
        first = head.splitlines()[0] if head else ""
        return "tsv" if "\t" in first and "," not in first else "csv"
    raise InvalidInput(
        f"{filename}: unsupported table format; use .csv, .tsv or .parquet with a 'formula' column"
    )


def read_composition_table(
    data: bytes, filename: str, *, max_rows: int = 1_000_000
) -> pd.DataFrame:
    """A table with a ``formula`` column (as text) plus any other columns, in file order.

    Raises:
        InvalidInput: unreadable table or no formula column.
        InputTooLarge: more than ``max_rows`` rows.
    """
    if not data.strip():
        raise InvalidInput(f"{filename}: the file is empty")
    fmt = detect_table_format(filename, data)
    try:
        if fmt == "parquet":
            frame = pd.read_parquet(io.BytesIO(data))
        else:
            text = (
                data.decode("utf-8-sig", errors="strict")
                if _is_utf8(data)
                else data.decode("latin-1")
            )
            frame = pd.read_csv(
                io.StringIO(text),
                sep="\t" if fmt == "tsv" else ",",
                dtype=str,
                keep_default_na=False,
                skipinitialspace=True,
                nrows=max_rows + 1,
                on_bad_lines="error",
            )
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise InvalidInput(f"{filename}: cannot read the {fmt.upper()} table: {exc}") from exc
    if len(frame) > max_rows:
        raise InputTooLarge(f"{filename}: more than {max_rows:,} rows (the configured limit)")
    lookup = {str(c).strip().lower(): c for c in frame.columns}
    column = next((lookup[n] for n in FORMULA_COLUMN_NAMES if n in lookup), None)
    if column is None:
        cols = ", ".join(map(str, list(frame.columns)[:10]))
        raise InvalidInput(f"{filename}: no 'formula' column (columns: {cols})")
    formulas = frame[column].astype("string").fillna("").str.strip()
    out = frame.drop(columns=[column])
    out.insert(0, "formula", formulas.astype(str))
    out.columns = [str(c) for c in out.columns]
    return out.reset_index(drop=True)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
