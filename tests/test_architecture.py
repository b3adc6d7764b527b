"""Dependency direction (STYLE.md): science -> domains -> api/worker/cli, never backwards."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "matdiscover"

# What each layer must never import.
FORBIDDEN = {
    "science": (
        "matdiscover.db",
        "matdiscover.domains",
        "matdiscover.api",
        "matdiscover.worker",
        "matdiscover.cli",
        "matdiscover.settings",
        "matdiscover.storage",
        "fastapi",
        "starlette",
        "sqlalchemy",
        "alembic",
        "procrastinate",
        "psycopg",
        "typer",
        "uvicorn",
    ),
    "domains": ("matdiscover.api", "matdiscover.cli", "matdiscover.worker"),
}
# Modules of a layer allowed to break the rule, with the reason.
ALLOWED = {
    # a domain's router is the HTTP adapter of that domain and uses api.deps by design
    ("domains", "router.py"): ("matdiscover.api",),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def violations(layer: str) -> list[str]:
    found = []
    for path in sorted((SRC / layer).rglob("*.py")):
        allowed = ALLOWED.get((layer, path.name), ())
        for mod in imported_modules(path):
            for bad in FORBIDDEN[layer]:
                if (mod == bad or mod.startswith(bad + ".")) and not any(
                    mod.startswith(a) for a in allowed
                ):
                    found.append(f"{path.relative_to(SRC)} imports {mod}")
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_respect_dependency_direction(layer: str) -> None:
    assert violations(layer) == []


def test_checker_detects_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlalchemy\nfrom matdiscover.api.app import create_app\n")
    mods = imported_modules(bad)
    assert "sqlalchemy" in mods and "matdiscover.api.app" in mods
