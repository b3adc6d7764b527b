"""No import circle between files of ``src/matdiscover`` (issue 11).

Every import counts, including those inside functions: a lazy import hides a circle
from the interpreter, not from the reader. ``from package import name`` counts as an
import of the submodule ``package.name`` when there is one, else of the package.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"


def module_files(root: Path) -> dict[str, Path]:
    """Dotted module name → file, for every ``.py`` below ``root`` (migrations aside)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if "migrations" in parts:
            continue
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _targets(node: ast.AST, name: str, is_package: bool, modules: dict[str, Path]) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        module = node.module or ""
        if node.level:
            base = name.split(".")[: None if is_package else -1]
            base = base[: len(base) - node.level + 1]
            module = ".".join([*base, *([node.module] if node.module else [])])
        for alias in node.names:
            sub = f"{module}.{alias.name}"
            yield sub if sub in modules else module


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module → the modules of ``root`` it imports (anywhere in the file)."""
    modules = module_files(root)
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            for target in _targets(node, name, is_package, modules):
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_no_import_circle_between_files() -> None:
    assert circles(import_graph(SRC)) == []


def test_materials_search_reaches_predictions_only_through_its_service() -> None:
    graph = import_graph(SRC)
    search = [m for m in graph if m.startswith("matdiscover.domains.materials.search")]
    assert len(search) > 1  # a package of several modules
    imported = set().union(*(graph[m] for m in search))
    assert "matdiscover.domains.predictions.service" in imported
    assert "matdiscover.domains.predictions.models" not in imported
    assert not any(
        m.startswith("matdiscover.domains.materials.search")
        for m in graph["matdiscover.domains.materials.service"]
    )


def test_checker_finds_a_lazy_circle(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "service.py").write_text("from pkg.sub import search\n")
    (pkg / "sub" / "search.py").write_text("def f():\n    from ..service import x\n")
    (pkg / "other.py").write_text("import pkg.service\n")
    assert circles(import_graph(tmp_path)) == [["pkg.service", "pkg.sub.search"]]
