"""Apps depend one way: the programme (sessions) knows nothing of the apps built on it, which
register with it (sessions.contributors) instead; polls write the audit log through its own app;
webhooks listen to the apps' signals, and no app knows them but the organiser pages, which register
endpoints."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_packages(app: str) -> dict[str, set[str]]:
    """The top-level packages each module of `app` imports, wherever the import is (functions,
    `TYPE_CHECKING` blocks, management commands, migrations)."""
    found = {}
    for path in sorted((ROOT / app).rglob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize(
    ("app", "unknown"),
    [
        ("sessions", {"qa", "polls", "audit", "exports", "webhooks", "organiser"}),
        ("agenda", {"qa", "polls", "audit", "exports", "webhooks", "organiser"}),
        ("qa", {"exports", "webhooks"}),
        ("polls", {"qa", "exports", "webhooks"}),
        ("audit", {"qa", "polls", "exports", "webhooks"}),
        ("organiser", {"exports", "web"}),
    ],
)
def test_an_app_imports_none_of_the_apps_built_on_it(app, unknown):
    modules = imported_packages(app)
    assert f"{app}/services.py" in modules  # the walk found the app
    assert {module: sorted(names & unknown) for module, names in modules.items() if names & unknown} == {}
