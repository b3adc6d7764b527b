"""Object storage through fsspec: a local directory by default, ``s3://...`` when configured."""

from __future__ import annotations

import hashlib
import posixpath

import fsspec


class ObjectStore:
    """Store and fetch blobs under a root URL (``/path/to/dir`` or ``s3://bucket/prefix``)."""

    def __init__(self, root_url: str) -> None:
        self.root_url = root_url.rstrip("/")
        self.fs, self.root = fsspec.core.url_to_fs(self.root_url)

    def _path(self, key: str) -> str:
        parts = [p for p in key.split("/") if p not in ("", ".", "..")]
        return posixpath.join(self.root, *parts)

    def put(self, key: str, data: bytes) -> str:
        path = self._path(key)
        self.fs.makedirs(posixpath.dirname(path), exist_ok=True)
        with self.fs.open(path, "wb") as fh:
            fh.write(data)
        return self.url_for(key)

    def get(self, key: str) -> bytes:
        with self.fs.open(self._path(key), "rb") as fh:
            data: bytes = fh.read()
            return data

    def exists(self, key: str) -> bool:
        return bool(self.fs.exists(self._path(key)))

    def delete(self, key: str) -> None:
        if self.exists(key):
            self.fs.rm(self._path(key))

    def url_for(self, key: str) -> str:
        protocol = self.fs.protocol if isinstance(self.fs.protocol, str) else self.fs.protocol[0]
        path = self._path(key)
        return path if protocol in ("file", "local") else f"{protocol}://{path}"

    def put_content_addressed(self, prefix: str, data: bytes, *, suffix: str = "") -> str:
        """Store ``data`` under ``prefix/<sha256><suffix>`` (idempotent); return its key."""
        key = f"{prefix}/{hashlib.sha256(data).hexdigest()}{suffix}"
        if not self.exists(key):
            self.put(key, data)
        return key
