"""Reading an uploaded file with a size limit (API routes and the CLI alike)."""

from __future__ import annotations

from typing import BinaryIO

from matdiscover.errors import InputTooLarge


def read_bounded(stream: BinaryIO, limit: int) -> bytes:
    """The whole of ``stream``, or ``InputTooLarge`` (a 413 through the API) as soon as it
    holds more than ``limit`` bytes; at most ``limit + 1`` bytes are read.

    >>> import io
    >>> read_bounded(io.BytesIO(b"abc"), 3)
    b'abc'
    """
    data = stream.read(limit + 1)
    check_size(data, limit)
    return data


def check_size(data: bytes, limit: int) -> None:
    """``InputTooLarge`` when ``data`` is over ``limit`` bytes."""
    if len(data) > limit:
        raise InputTooLarge(f"the file exceeds the limit of {limit // (1024 * 1024)} MB")
