"""The package layout stays one a newcomer can change: no import cycles, no hidden imports of
the whole package, no name that is both a module and a function, and a README map that
names every module."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "backplan"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path) -> list[tuple[str, list[str], bool]]:
    """(module imported, names taken from it, inside a function) for each import, with
    relative imports resolved; imports only made for type checkers are left out."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: list[tuple[str, list[str], bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other, in_function)
                continue
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                out.append((target, [a.name for a in child.names], inner))
            elif isinstance(child, ast.Import):
                out.extend((a.name, [], inner) for a in child.names)
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return out


def _graph() -> dict[str, set[str]]:
    """Module -> the backplan modules importing it runs (its parent packages included)."""
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module, path in MODULES.items():
        mine = module.split(".")
        own_parents = {".".join(mine[:i]) for i in range(1, len(mine) + 1)}
        for target, names, _ in _imports(path):
            if not target.startswith("backplan"):
                continue
            targets = [target] + [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES]
            for t in targets:
                parts = t.split(".")
                for i in range(1, len(parts) + 1):
                    step = ".".join(parts[:i])
                    if step in MODULES and step not in own_parents and step != module:
                        graph[module].add(step)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def test_no_import_cycles_anywhere_in_the_package() -> None:
    """Every import counts, those inside functions too: a cycle hidden in a function body
    is still a cycle to the reader."""
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_function_imports_the_whole_package() -> None:
    hidden = [
        f"{module}: import {target}"
        for module, path in MODULES.items()
        for target, names, in_function in _imports(path)
        if in_function
        and target == "backplan"
        and (not names or any(f"backplan.{n}" not in MODULES for n in names))
    ]
    assert hidden == []


@pytest.mark.parametrize(
    "package", sorted(m for m, p in MODULES.items() if p.name == "__init__.py")
)
def test_no_public_name_is_both_a_module_and_something_else(package: str) -> None:
    mod = importlib.import_module(package)
    submodules = {m.rpartition(".")[2] for m in MODULES if m.rpartition(".")[0] == package}
    clashes = [
        name
        for name in getattr(mod, "__all__", ())
        if name in submodules and not isinstance(getattr(mod, name), type(importlib))
    ]
    assert clashes == []


def test_the_readme_map_names_every_module_once() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## How the code is laid out", 1)[1].split("\n## ", 1)[0]
    tree = next(block for block in section.split("```")[1::2] if "__init__.py" in block)
    # a line names a file in the last folder above it with less indent (two spaces a level)
    paths, folder_stack = [], []
    for line in tree.splitlines():
        m = re.match(r"^(\s*)([\w.]+/?)\s", line + " ")
        if not m:
            continue
        depth, item = len(m.group(1)) // 2, m.group(2)
        folder_stack = folder_stack[:depth]
        if item.endswith("/"):
            folder_stack.append(item.rstrip("/"))
        elif item.endswith(".py"):
            paths.append("/".join([*folder_stack, item]))
    expected = sorted(str(p.relative_to(ROOT)) for p in MODULES.values())
    assert sorted(paths) == expected
