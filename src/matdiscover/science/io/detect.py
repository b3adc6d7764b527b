"""Recognising the structure file format from its name and content."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Literal

from matdiscover.errors import InvalidStructure
from matdiscover.science.io.text import decode_text

Format = Literal["cif", "poscar", "xyz", "json"]

SUPPORTED = "CIF (.cif, .mcif), VASP POSCAR/CONTCAR (.vasp, .poscar), extended XYZ (.xyz, "
SUPPORTED += ".extxyz) or pymatgen Structure JSON (.json)"

_EXTENSIONS: dict[str, Format] = {
    ".cif": "cif",
    ".mcif": "cif",
    ".vasp": "poscar",
    ".poscar": "poscar",
    ".xyz": "xyz",
    ".extxyz": "xyz",
    ".json": "json",
}
_NOT_STRUCTURES = {
    ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".svg", ".pdf", ".doc",
    ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".exe", ".dll", ".so", ".bin",
    ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".tar", ".h5", ".hdf5", ".npy", ".npz",
    ".pkl", ".pickle", ".pt", ".mp4", ".mov", ".mp3", ".wav",
}  # fmt: skip
_FLOAT = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eEdD][-+]?\d+)?"
_THREE_FLOATS = re.compile(rf"^\s*{_FLOAT}\s+{_FLOAT}\s+{_FLOAT}\b")


def format_from_name(filename: str) -> Format | None:
    """Format implied by the file name alone, or None."""
    name = PurePosixPath(filename.replace("\\", "/")).name
    upper = name.upper()
    if upper.startswith(("POSCAR", "CONTCAR")) or upper.endswith(("_POSCAR", "_CONTCAR")):
        return "poscar"
    return _EXTENSIONS.get(PurePosixPath(name).suffix.lower())


def sniff_format(text: str) -> Format | None:
    """Guess the format of decoded text, or None."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return "json"
    lines = text.split("\n")
    if re.search(r"(?im)^\s*data_\S*", text) and re.search(r"(?m)^\s*_(cell|atom_site)", text):
        return "cif"
    head = lines[:8]
    if len(head) >= 2 and head[0].strip().isdigit():
        return "xyz"
    if len(head) >= 7:
        try:
            float(head[1].split()[0])
            if all(_THREE_FLOATS.match(x) for x in head[2:5]):
                return "poscar"
        except (ValueError, IndexError):
            pass
    return None


def detect_format(filename: str, data: bytes) -> Format:
    """Return the structure format of a file.

    The extension decides (``.cif``/``.mcif``, ``POSCAR*``/``CONTCAR*``/``.vasp``/
    ``.poscar``, ``.xyz``/``.extxyz``, ``.json``); otherwise the content is sniffed.

    Raises:
        InvalidStructure: if the type is known not to be a structure file, or the
            content matches no supported format.

    Example:
        >>> detect_format("POSCAR", b"Si\\n1.0\\n...")
        'poscar'
        >>> detect_format("upload.txt", b"data_NaCl\\n_cell_length_a 5.64\\n")
        'cif'
    """
    by_name = format_from_name(filename)
    if by_name is not None:
        return by_name
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if suffix in _NOT_STRUCTURES:
        raise InvalidStructure(
            f"{filename}: '{suffix}' files are not structure files; upload {SUPPORTED}."
        )
    text, _ = decode_text(data, filename)
    sniffed = sniff_format(text)
    if sniffed is None:
        raise InvalidStructure(
            f"{filename}: unknown structure file format (neither the name nor the content "
            f"is recognised); upload {SUPPORTED}."
        )
    return sniffed
