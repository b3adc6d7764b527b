"""Helpers of the deployment config tests: paths and the external tools they run."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def require(tool: str) -> str:
    """The path of ``tool``; fail (not skip) when it is missing: `make deploy-tools`."""
    path = shutil.which(tool)
    assert path, f"{tool} not found: run `make deploy-tools` (Debian docker-compose, prometheus)"
    return path


def run(
    cmd: list[str], *, cwd: Path = ROOT, stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=timeout, check=False
    )
