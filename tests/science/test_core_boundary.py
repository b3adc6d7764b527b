"""The structure-ingestion core stays pure: no platform imports, no environment reads."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SCIENCE = Path(__file__).resolve().parents[2] / "src" / "matdiscover" / "science"
PACKAGES = ["io", "structures"]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_only_errors_and_science_from_matdiscover(package: str) -> None:
    for path in sorted((SCIENCE / package).rglob("*.py")):
        for module in _imports(path):
            if module.startswith("matdiscover"):
                assert module == "matdiscover.errors" or module.startswith(
                    "matdiscover.science."
                ), f"{path.name} imports {module}"
        text = path.read_text(encoding="utf-8")
        assert "os.environ" not in text and "getenv" not in text, path.name


def test_importing_the_core_loads_no_platform_module() -> None:
    code = (
        "import sys, matdiscover.science.io, matdiscover.science.structures\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('fastapi', 'sqlalchemy', 'starlette', 'procrastinate', 'pydantic_settings')"
        " or m.startswith(('matdiscover.settings', 'matdiscover.db', 'matdiscover.domains'))]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
