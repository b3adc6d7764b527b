"""Turning uploaded bytes into text, refusing binary data with a specific message."""

from __future__ import annotations

import re

from matdiscover.errors import InvalidStructure

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"BZh", "a bzip2-compressed file"),
    (b"\xfd7zXZ\x00", "an xz-compressed file"),
    (b"\x89HDF", "an HDF5 file"),
    (b"CDF\x01", "a NetCDF file"),
)
_MAX_CONTROL_FRACTION = 0.01
# control characters other than tab, newline, vertical tab, form feed, CR and DOS EOF (\x1a)
_CONTROL = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f\x7f-\x9f]")


def describe_binary(data: bytes) -> str | None:
    """Name the kind of a recognisable binary file from its magic bytes, else None."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    return None


def decode_text(data: bytes, filename: str) -> tuple[str, list[str]]:
    """Decode an uploaded structure file.

    UTF-8 (with or without BOM) is tried first, then UTF-16 if a UTF-16 BOM is present,
    then Latin-1 (as used by ICSD exports), which adds a warning.

    Args:
        data: Raw file content.
        filename: Name used in messages.

    Returns:
        The text with normalised line endings and a list of warnings.

    Raises:
        InvalidStructure: for empty, binary or non-text files.

    Example:
        >>> decode_text(b"\\xef\\xbb\\xbfdata_x\\r\\n", "x.cif")
        ('data_x\\n', [])
    """
    warnings: list[str] = []
    if not data.strip():
        raise InvalidStructure(f"{filename}: the file is empty.")
    kind = describe_binary(data)
    if kind is not None:
        raise InvalidStructure(
            f"{filename}: this is not a text structure file; it looks like {kind}."
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InvalidStructure(f"{filename}: invalid UTF-16 text ({exc}).") from exc
        warnings.append("File was UTF-16 encoded; decoded as UTF-16.")
    else:
        if b"\x00" in data:
            raise InvalidStructure(
                f"{filename}: the file contains NUL bytes; it is binary data, not a text "
                "structure file."
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            warnings.append("File is not valid UTF-8; decoded as Latin-1 (ISO-8859-1).")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    control = len(_CONTROL.findall(text))
    if control > max(2, _MAX_CONTROL_FRACTION * len(text)):
        raise InvalidStructure(
            f"{filename}: the file contains {control} control characters; it is binary "
            "data, not a text structure file."
        )
    if not text.strip():
        raise InvalidStructure(f"{filename}: the file is empty.")
    return text, warnings
