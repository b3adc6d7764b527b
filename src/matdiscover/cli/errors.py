"""Turn domain errors into a one-line message and exit code 1 (no tracebacks for users)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from matdiscover.errors import MatDiscoverError

P = ParamSpec("P")
R = TypeVar("R")
err_console = Console(stderr=True)


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except MatDiscoverError as exc:
            err_console.print(f"[red]error:[/] {exc.message}")
            raise typer.Exit(1) from exc

    return wrapper
