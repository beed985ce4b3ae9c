"""The shape of the code, checked so it stays true (docs/architecture.md says why each rule exists).

- No import circle among the product's modules (lazy imports inside functions count too: a
  circle dodged by a late import is still a circle).
- The domain (`knowledge/`) imports neither time (`reminders/`) nor the shell (`bot/`) nor a face
  (`handlers/`); `reminders/` imports no shell and no face; neither imports `telegram` or `jinja2`.
- Handlers are thin: no SQL (`select(`, `session.exec`, `session.add`), no function over 25 lines.
- No function in the product over 60 lines.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "channels", "handlers", "knowledge", "reminders")
# The generated first migration is one long function by nature.
EXEMPT = ("knowledge/migrations/",)


def product_files() -> list[Path]:
    files = [p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))]
    return [p for p in files if not any(str(p.relative_to(ROOT)).startswith(e) for e in EXEMPT)]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every module this file imports, anywhere in it (top level or inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def graph() -> dict[str, set[str]]:
    """Module → the product modules it imports (names resolved to existing modules)."""
    modules = {module_name(p): p for p in product_files()}
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for target in imports_of(path):
            while target and target not in modules:
                target = target.rpartition(".")[0]
            # Importing a package's own __init__ from inside it is not a dependency worth a circle.
            if target and target != name and not name.startswith(target + "."):
                edges[name].add(target)
    return {name: edges.get(name, set()) for name in modules}


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_circles():
    assert circles(graph()) == []


FORBIDDEN = {
    "knowledge": ("reminders", "bot", "handlers", "telegram", "jinja2"),
    "reminders": ("bot", "handlers", "telegram", "jinja2"),
}


def test_layers_import_only_downwards():
    wrong = []
    for path in product_files():
        top = module_name(path).split(".")[0]
        for target in imports_of(path):
            if target.split(".")[0] in FORBIDDEN.get(top, ()):
                wrong.append(f"{path.relative_to(ROOT)} imports {target}")
    assert sorted(set(wrong)) == []


def functions(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(node.name, node.end_lineno - node.lineno + 1) for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]


def test_handlers_hold_no_sql():
    wrong = [f"{p.relative_to(ROOT)}: {needle}" for p in (ROOT / "handlers").rglob("*.py")
             for needle in ("select(", "session.exec", "session.add")
             if needle in p.read_text(encoding="utf-8")]
    assert wrong == []


def test_handlers_are_short():
    long = [f"{p.relative_to(ROOT)}:{name} {n} lines" for p in sorted((ROOT / "handlers").rglob("*.py"))
            for name, n in functions(p) if n > 25]
    assert long == []


def test_no_function_over_sixty_lines():
    long = [f"{p.relative_to(ROOT)}:{name} {n} lines" for p in product_files()
            for name, n in functions(p) if n > 60]
    assert long == []


def test_the_checks_can_fail():
    """The circle finder sees a circle, so an empty result above means something."""
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
