"""Safe extraction of structure files from .zip archives (traversal- and bomb-safe)."""

from __future__ import annotations

import io
import re
import stat
import zipfile
from pathlib import PurePosixPath

from matdiscover.errors import InputTooLarge, InvalidInput
from matdiscover.science.structures.limits import ParseLimits

_CHUNK = 64 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")


def is_zip(data: bytes) -> bool:
    """True if ``data`` starts like a .zip archive (including an empty one).

    Example:
        >>> is_zip(b"PK\\x03\\x04...")
        True
    """
    return data.startswith((b"PK\x03\x04", b"PK\x05\x06"))


def _check_name(name: str) -> None:
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or _DRIVE.match(normalised):
        raise InvalidInput(f"Archive member '{name}' has an absolute path; refusing the archive.")
    if ".." in normalised.split("/"):
        raise InvalidInput(
            f"Archive member '{name}' points outside the archive ('..' path traversal); "
            "refusing the archive."
        )


def _skipped(info: zipfile.ZipInfo) -> bool:
    parts = [p for p in info.filename.replace("\\", "/").split("/") if p]
    return (
        info.is_dir()
        or not parts
        or parts[0] == "__MACOSX"
        or any(part.startswith(".") for part in parts)
    )


def _unique(name: str, seen: set[str]) -> str:
    candidate, n = name, 1
    while candidate in seen:
        n += 1
        candidate = f"{name} ({n})"
    seen.add(candidate)
    return candidate


def safe_archive_members(
    data: bytes, *, limits: ParseLimits = ParseLimits()
) -> list[tuple[str, bytes]]:
    """Extract the regular files of a .zip archive into memory, safely.

    Path traversal (``..``), absolute paths, drive letters and symbolic links are
    rejected with an error naming the member. The member count, each member's size
    (``limits.max_bytes``) and the total uncompressed size
    (``limits.max_archive_bytes``) are enforced while streaming the data, never
    trusting the sizes declared in the headers (zip-bomb safe). Directories,
    ``__MACOSX/`` and dotfiles are skipped. Duplicate base names get `` (2)``, ...

    Args:
        data: The archive bytes.
        limits: Size limits.

    Returns:
        ``(sanitised base name, content)`` for each member, in archive order.

    Raises:
        InvalidInput: for a corrupt, encrypted or unsafe archive.
        InputTooLarge: if a size or count limit is exceeded.

    Example:
        >>> buf = io.BytesIO()
        >>> with zipfile.ZipFile(buf, "w") as zf:
        ...     zf.writestr("run1/POSCAR", "...")
        >>> safe_archive_members(buf.getvalue())
        [('POSCAR', b'...')]
    """
    if len(data) > limits.max_archive_bytes:
        raise InputTooLarge(
            f"The archive is {len(data) / 2**20:.1f} MiB, more than the limit of "
            f"{limits.max_archive_bytes / 2**20:.1f} MiB."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidInput(f"The archive is not a valid .zip file ({exc}).") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_archive_members:
            raise InputTooLarge(
                f"The archive has {len(infos)} members, more than the limit of "
                f"{limits.max_archive_members}."
            )
        members: list[tuple[str, bytes]] = []
        seen: set[str] = set()
        total = 0
        for info in infos:
            _check_name(info.filename)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise InvalidInput(
                    f"Archive member '{info.filename}' is a symbolic link; refusing the archive."
                )
            if _skipped(info):
                continue
            if info.flag_bits & 0x1:
                raise InvalidInput(f"Archive member '{info.filename}' is encrypted.")
            content = _read_capped(archive, info, limits, total)
            total += len(content)
            base = PurePosixPath(info.filename.replace("\\", "/")).name
            members.append((_unique(base, seen), content))
        return members


def _read_capped(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ParseLimits, total: int
) -> bytes:
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > limits.max_bytes:
                    raise InputTooLarge(
                        f"Archive member '{info.filename}' is larger than the per-file limit "
                        f"of {limits.max_bytes / 2**20:.1f} MiB when uncompressed."
                    )
                if total + size > limits.max_archive_bytes:
                    raise InputTooLarge(
                        f"The archive is larger than the limit of "
                        f"{limits.max_archive_bytes / 2**20:.1f} MiB when uncompressed "
                        f"(reached at member '{info.filename}')."
                    )
                chunks.append(chunk)
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError) as exc:
        raise InvalidInput(f"Archive member '{info.filename}' cannot be read ({exc}).") from exc
    return b"".join(chunks)
