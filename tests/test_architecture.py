"""The project's modules import one another without a cycle.

What counts is what runs at import: statements at module level (also inside module-level `if`,
`try`, `with` and class bodies), including `from . import x`. Imports under `if TYPE_CHECKING:`
never run, and imports inside functions are not walked.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "livehub",
    "sessions",
    "agenda",
    "qa",
    "polls",
    "web",
    "bench",
    "staff",
    "exports",
    "audit",
    "webhooks",
    "organiser",
    "reactions",
)


def project_modules(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    modules = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(body: list[ast.stmt]):
    """The import statements that run when the module is imported."""
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                yield from _runtime_imports(node.body)
            yield from _runtime_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, *(handler.body for handler in node.handlers), node.orelse, node.finalbody):
                yield from _runtime_imports(block)
        elif isinstance(node, ast.With | ast.ClassDef):
            yield from _runtime_imports(node.body)


def module_imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project's modules that importing `name` imports directly (with their packages)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = []
    for node in _runtime_imports(ast.parse(path.read_text(), filename=str(path)).body):
        if isinstance(node, ast.Import):
            targets += [alias.name for alias in node.names]
            continue
        base = node.module
        if node.level:  # relative: from the package, one level up per dot after the first
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            base = f"{base}.{node.module}" if node.module else base
        targets.append(base)
        targets += [f"{base}.{alias.name}" for alias in node.names]  # `from . import x`: x may be a module
    found = set()
    for target in targets:
        parts = target.split(".")
        for end in range(1, len(parts) + 1):  # importing a.b.c runs a, then a.b, then a.b.c
            candidate = ".".join(parts[:end])
            if candidate in modules and candidate != name:
                found.add(candidate)
    return found


def import_graph(root: Path, packages: tuple[str, ...]) -> dict[str, set[str]]:
    modules = project_modules(root, packages)
    return {name: module_imports(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per group of modules that import one another (strongly connected component),
    as the path `[a, b, …, a]`."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(node: str) -> None:  # Tarjan
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_path_round(component, graph) for component in components]


def _path_round(component: set[str], graph: dict[str, set[str]]) -> list[str]:
    """The shortest way from the component's first module back to itself."""
    start = min(component)
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node] & component):
                if target == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if target not in came_from:
                    came_from[target] = node
                    following.append(target)
        frontier = following
    raise AssertionError(f"{sorted(component)} is not a cycle")


def test_no_import_cycle_among_the_projects_modules():
    found = cycles(import_graph(ROOT, PACKAGES))
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in found)


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_a_cycle_through_a_relative_import_is_found_and_shown(tmp_path):
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/hub.py": "from . import broker\n",
            "app/broker.py": "from .publish import publish\n",
            "app/publish.py": "try:\n    from app.hub import Hub\nexcept ImportError:\n    Hub = None\n",
        },
    )
    assert cycles(import_graph(tmp_path, ("app",))) == [["app.broker", "app.publish", "app.hub", "app.broker"]]


def test_imports_for_the_type_checker_or_inside_functions_are_no_cycle(tmp_path):
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/hub.py": "from app import broker\n",
            "app/broker.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from .hub import Hub\n"
                "def later():\n    from .hub import Hub\n"
            ),
        },
    )
    graph = import_graph(tmp_path, ("app",))
    assert graph["app.hub"] == {"app", "app.broker"} and graph["app.broker"] == set()
    assert cycles(graph) == []


def test_a_package_that_imports_its_own_module_which_imports_it_back_is_a_cycle(tmp_path):
    write(tmp_path, {"app/__init__.py": "from .models import Event\n", "app/models.py": "import app.signals\n"})
    assert cycles(import_graph(tmp_path, ("app",))) == [["app", "app.models", "app"]]
