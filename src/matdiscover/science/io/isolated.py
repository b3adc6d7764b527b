"""Parsing in a child process so that pathological files cannot hang the caller."""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from typing import Any, TypeVar

from matdiscover.errors import InvalidStructure, MatDiscoverError, ParseTimeout
from matdiscover.science.io.reader import ReadResult, read_structures
from matdiscover.science.structures.limits import ParseLimits

logger = logging.getLogger(__name__)

T = TypeVar("T")

PRELOAD = ["matdiscover.science.io._warmup", "pymatgen.io.cif", "pymatgen.io.vasp", "ase.io.extxyz"]
"""Modules imported once by the fork server, so each child starts warm."""
_JOIN_TIMEOUT_S = 5.0

_lock = threading.Lock()
_context: BaseContext | None = None


def _noop() -> None:
    return None


def _get_context() -> BaseContext:
    """Forkserver context with the heavy modules preloaded, started (and warmed) once."""
    global _context
    with _lock:
        if _context is None:
            methods = multiprocessing.get_all_start_methods()
            ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            if ctx.get_start_method() == "forkserver":
                ctx.set_forkserver_preload(PRELOAD)
            _start_and_collect(ctx, _noop, (), None)  # pays the import cost outside any timeout
            _context = ctx
        return _context


def _child(conn: Connection, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        try:
            conn.send(("ok", fn(*args)))
        except MatDiscoverError as exc:
            conn.send(("error", exc))
        except BaseException as exc:  # report, never hang the parent
            conn.send(("crash", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def _start_and_collect(
    ctx: BaseContext, fn: Callable[..., T], args: tuple[Any, ...], timeout_s: float | None
) -> T:
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(sender, fn, args), daemon=True)  # type: ignore[attr-defined]
    try:
        process.start()
        sender.close()
        if not receiver.poll(timeout_s):
            raise ParseTimeout(
                f"Parsing took longer than the limit of {timeout_s:g} s and was stopped."
            )
        try:
            status, payload = receiver.recv()
        except EOFError:
            process.join(_JOIN_TIMEOUT_S)
            raise InvalidStructure(
                f"The parser process died (exit code {process.exitcode}); the file may be "
                "too large or malformed."
            ) from None
    finally:
        receiver.close()
        sender.close()
        if process.is_alive():
            process.kill()
        if process.pid is not None:
            process.join(_JOIN_TIMEOUT_S)
            if process.exitcode is not None:
                process.close()
            else:  # pragma: no cover - kill(9) did not take effect in time
                logger.warning("parser process %s did not exit", process.pid)
    if status == "ok":
        return payload
    if status == "error":
        raise payload
    raise InvalidStructure(f"The parser failed unexpectedly ({payload}).")


def run_isolated(fn: Callable[..., T], args: tuple[Any, ...], *, timeout_s: float) -> T:
    """Run picklable ``fn(*args)`` in a fresh child of the fork server.

    The child is killed if it has not answered within ``timeout_s`` seconds.
    Thread-safe; each call owns its child process and pipe and always reaps it.

    Raises:
        ParseTimeout: after ``timeout_s`` seconds.
        MatDiscoverError: whatever ``fn`` raised (re-raised in the caller).
        InvalidStructure: if the child crashed or raised an unexpected exception.
    """
    return _start_and_collect(_get_context(), fn, args, timeout_s)


def read_structures_isolated(
    data: bytes,
    filename: str,
    *,
    symprec: float = 0.1,
    limits: ParseLimits = ParseLimits(),
) -> ReadResult:
    """Like :func:`read_structures`, in a separate process with a time limit.

    Uses a ``forkserver`` multiprocessing context whose server has pymatgen, ase
    and this package preloaded, so each call costs a fork (tens of ms) rather than
    a fresh interpreter. The first call starts the server (a few seconds, not
    counted against the limit). Safe to call from many threads at once; no child
    process outlives its call.

    As with any ``forkserver``/``spawn`` use of :mod:`multiprocessing`, the calling
    program's ``__main__`` module must be importable without side effects (guard
    scripts with ``if __name__ == "__main__":``). The preload list is process-wide:
    other ``forkserver`` users in the same process share the preloaded server.

    Args:
        data: File content.
        filename: Sanitised base name.
        symprec: Symmetry tolerance in Å.
        limits: Limits; ``limits.timeout_s`` (seconds) bounds the whole parse.

    Raises:
        ParseTimeout: if parsing takes longer than ``limits.timeout_s``.
        InvalidStructure, InputTooLarge: as :func:`read_structures`.

    Example:
        >>> poscar = b"Cs Cl\\n1.0\\n4.2 0 0\\n0 4.2 0\\n0 0 4.2\\nCs Cl\\n1 1\\nDirect\\n"
        >>> poscar += b"0 0 0\\n0.5 0.5 0.5\\n"
        >>> read_structures_isolated(poscar, "POSCAR").structures[0].reduced_formula
        'CsCl'
    """
    return run_isolated(
        _read_for_child, (data, filename, symprec, limits), timeout_s=limits.timeout_s
    )


def _read_for_child(data: bytes, filename: str, symprec: float, limits: ParseLimits) -> ReadResult:
    return read_structures(data, filename, symprec=symprec, limits=limits)
