"""The sync client's modules import one way: no cycles, and no imports hidden in functions."""

from __future__ import annotations

import ast
from pathlib import Path

import sync.client

PACKAGE = Path(sync.client.__file__).parent


def _imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.glob("*.py")):
        module = f"sync.client.{path.stem}"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                targets |= {n for n in names if n.startswith("sync.client.")}
            elif isinstance(node, ast.Import):
                targets |= {a.name for a in node.names if a.name.startswith("sync.client.")}
        graph[module] = {
            t for t in targets if t in {f"sync.client.{p.stem}" for p in PACKAGE.glob("*.py")}
        }
    return graph


def test_no_import_cycles_between_client_modules() -> None:
    graph = _imports()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        assert module not in path, " -> ".join([*path, module])
        if module in done:
            return
        for target in graph.get(module, ()):
            visit(target, [*path, module])
        done.add(module)

    for module in graph:
        visit(module, [])
    assert "sync.client.engine" not in graph["sync.client.lifecycle"] | graph["sync.client.files"]


def test_no_imports_inside_functions() -> None:
    hidden = []
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(func):
                    if isinstance(node, ast.Import | ast.ImportFrom):
                        hidden.append(f"{path.name}:{node.lineno}")
    assert hidden == []


def test_the_engine_has_one_loop() -> None:
    from sync.client.engine import SyncEngine

    assert not hasattr(SyncEngine, "run")  # the desktop's sync thread is the one loop


def test_every_client_module_has_its_unit_test_file() -> None:
    """Tests mirror the code: ``sync/client/<module>.py`` is tested in ``test_<module>.py``
    next to this file (end-to-end behaviour stays in tests/scenarios and tests/adversarial)."""
    here = Path(__file__).parent
    modules = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    missing = sorted(m for m in modules if not (here / f"test_{m}.py").exists())
    assert missing == []
