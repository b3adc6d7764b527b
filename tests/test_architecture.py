"""The shape of the code, checked: layers, the declared domain graph, no import circles.

- Layers (STYLE.md): science -> domains -> api/worker/cli, never backwards; reports
  (documents from science results) sit beside science and import no platform layer.
- Domains: a domain imports another only if ``DOMAIN_DEPENDENCIES`` declares it, and only
  through that domain's ``service`` or ``schemas`` (an ORM ``models`` module may import
  another domain's ``models`` for foreign keys). A router never touches another domain's
  tables. The declared graph itself must be acyclic.
- Files: no import circle between any two modules of ``src/`` (lazy imports count).

Each rule is demonstrated on a deliberately bad tree built in a temporary directory.
"""

from __future__ import annotations

import ast
import graphlib
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "matdiscover"

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
    # reports render science results to documents; callers hand them plain data
    "reports": (
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
        "procrastinate",
        "psycopg",
    ),
}
# a domain's router is the HTTP adapter of that domain and uses api.deps/api.responses
ROUTER_MAY_IMPORT = ("matdiscover.api.deps", "matdiscover.api.responses")

#: Which domains each domain may import (through their ``service``/``schemas``).
#: ``domains/identity.py`` (who is calling) and ``domains/tasks.py`` (the queue contract)
#: are shared by all and import no domain.
DOMAIN_DEPENDENCIES: dict[str, set[str]] = {
    "audit": set(),
    "organizations": set(),
    "auth": {"organizations", "audit"},
    "invitations": {"organizations", "auth", "audit"},
    "usage": {"organizations"},
    "materials": {"organizations", "usage"},
    "model_registry": set(),
    "predictions": {"materials", "usage", "model_registry"},
    "jobs": {"materials", "model_registry", "predictions", "usage"},
    "similarity": {"materials", "compounds"},
    "reference": {"materials", "similarity", "compounds"},
    "search": {"materials", "predictions"},
    "compounds": {"materials", "predictions", "search"},
    "thermo": {"materials", "search"},
    "visualization": {"materials"},
    "projects": {"materials", "predictions", "compounds", "experiments", "audit"},
    "experiments": {"materials", "predictions", "audit"},
    "optimade": {"materials", "predictions", "jobs", "usage"},
    "molecules": {"jobs", "usage"},
    "training": {"jobs", "experiments", "projects", "model_registry"},
    "campaigns": {"projects", "experiments", "predictions", "jobs", "materials", "usage", "audit"},
}
SHARED_DOMAIN_MODULES = ("identity", "tasks")
PUBLIC_MODULES = ("service", "schemas")


@dataclass(frozen=True)
class Import:
    source: str  # importing module, e.g. matdiscover.domains.jobs.router
    target: str  # the longest known module it names
    path: Path


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules_under(root: Path) -> dict[str, Path]:
    return {module_name(p, root): p for p in sorted((root / PACKAGE).rglob("*.py"))}


def raw_imports(path: Path, module: str) -> list[tuple[str, list[str]]]:
    """Every import statement in ``path`` as (module, imported names): lazy imports
    included, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([node.module] if node.module else []))
            found.append((base, [alias.name for alias in node.names]))
    return found


def project_imports(root: Path) -> list[Import]:
    """Imports between modules of the package, each resolved to the module it names
    (``from a import b`` names the module ``a.b`` if there is one, else ``a``)."""
    modules = modules_under(root)
    found = []
    for source, path in modules.items():
        targets = set()
        for base, names in raw_imports(path, source):
            named = [f"{base}.{n}" for n in names if f"{base}.{n}" in modules]
            if len(named) < len(names) or not names:
                named.append(base)
            for name in named:
                while name and name not in modules:
                    name = name.rpartition(".")[0]
                # a package's own __init__ is not a dependency of its submodules
                if name and name != source and not source.startswith(name + "."):
                    targets.add(name)
        found.extend(Import(source, t, path) for t in sorted(targets))
    return found


def layer_violations(root: Path, layer: str) -> list[str]:
    found = []
    for path in sorted((root / PACKAGE / layer).rglob("*.py")):
        module = module_name(path, root)
        for name in sorted({base for base, _ in raw_imports(path, module)}):
            for bad in FORBIDDEN[layer]:
                if not (name == bad or name.startswith(bad + ".")):
                    continue
                if path.name == "router.py" and name.startswith(ROUTER_MAY_IMPORT):
                    continue
                found.append(f"{module} imports {name}")
    return found


def _domain_of(module: str) -> tuple[str, str] | None:
    """(domain, first module inside it) for ``matdiscover.domains.<d>.<m>...``."""
    parts = module.split(".")
    if len(parts) < 3 or parts[:2] != [PACKAGE, "domains"]:
        return None
    return parts[2], (parts[3] if len(parts) > 3 else "")


def domain_violations(root: Path, declared: dict[str, set[str]]) -> list[str]:
    found = []
    for imp in project_imports(root):
        source, target = _domain_of(imp.source), _domain_of(imp.target)
        if source is None or target is None or source[0] == target[0]:
            continue
        (src_domain, src_module), (dst_domain, dst_module) = source, target
        if dst_domain in SHARED_DOMAIN_MODULES:
            continue
        if src_domain in SHARED_DOMAIN_MODULES:
            found.append(f"{imp.source} (shared) imports the domain {imp.target}")
        elif dst_domain not in declared.get(src_domain, set()):
            found.append(
                f"{imp.source} imports {imp.target}: {src_domain} -> {dst_domain} "
                "is not in DOMAIN_DEPENDENCIES"
            )
        elif src_module == "router" and dst_module == "models":
            found.append(f"{imp.source} (a router) imports another domain's models {imp.target}")
        elif dst_module not in PUBLIC_MODULES and not (
            src_module == "models" and dst_module == "models"
        ):
            found.append(f"{imp.source} reaches into {imp.target} (use its service/schemas)")
    return found


def declared_cycle(declared: dict[str, set[str]]) -> list[str]:
    try:
        tuple(graphlib.TopologicalSorter(declared).static_order())
    except graphlib.CycleError as exc:
        return list(exc.args[1])
    return []


def import_circles(root: Path) -> list[list[str]]:
    """Strongly connected groups of modules (Tarjan), each an import circle."""
    graph: dict[str, set[str]] = {m: set() for m in modules_under(root)}
    for imp in project_imports(root):
        graph[imp.source].add(imp.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return circles


# --- the real tree ---------------------------------------------------------------------


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_respect_dependency_direction(layer: str) -> None:
    assert layer_violations(SRC, layer) == []


def test_declared_domain_graph_is_acyclic() -> None:
    assert declared_cycle(DOMAIN_DEPENDENCIES) == []


def test_every_domain_is_declared() -> None:
    domains = {
        p.name
        for p in (SRC / PACKAGE / "domains").iterdir()
        if p.is_dir() and (p / "__init__.py").exists()
    }
    assert domains == set(DOMAIN_DEPENDENCIES)


def test_domains_import_only_what_the_table_declares() -> None:
    assert domain_violations(SRC, DOMAIN_DEPENDENCIES) == []


def test_no_import_circles_in_src() -> None:
    assert import_circles(SRC) == []


# --- the checks catch a deliberately bad tree -------------------------------------------


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / PACKAGE / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        for parent in path.relative_to(root).parents:
            init = root / parent / "__init__.py"
            if parent != Path(".") and not init.exists():
                init.write_text("", encoding="utf-8")


def test_checks_catch_a_bad_tree(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "science/bad.py": "import sqlalchemy\nfrom matdiscover.api.app import create_app\n",
            "domains/alpha/models.py": "X = 1\n",
            "domains/alpha/service.py": "from matdiscover.domains.beta import service\n",
            "domains/alpha/router.py": "from matdiscover.domains.gamma.models import Y\n",
            "domains/beta/models.py": "Y = 1\n",
            "domains/beta/service.py": (
                "def f():\n    from matdiscover.domains.alpha.service import g\n"
            ),
            "domains/beta/helpers.py": "from ..alpha.models import X\n",
            "domains/gamma/models.py": "Y = 2\n",
        },
    )
    declared = {"alpha": {"beta", "gamma"}, "beta": {"alpha"}, "gamma": set()}
    assert layer_violations(tmp_path, "science") == [
        "matdiscover.science.bad imports matdiscover.api.app",
        "matdiscover.science.bad imports sqlalchemy",
    ]
    found = domain_violations(tmp_path, declared)
    assert any("alpha.router (a router) imports another domain's models" in f for f in found)
    assert any("beta.helpers reaches into matdiscover.domains.alpha.models" in f for f in found)
    undeclared = domain_violations(tmp_path, {"alpha": set(), "beta": set(), "gamma": set()})
    assert any("alpha -> beta is not in DOMAIN_DEPENDENCIES" in f for f in undeclared)
    assert set(declared_cycle(declared)) == {"alpha", "beta"}
    assert import_circles(tmp_path) == [
        ["matdiscover.domains.alpha.service", "matdiscover.domains.beta.service"]
    ]
