"""`make test` audits the lock file: a known vulnerability fails it; an audit that could check
nothing says it was skipped instead of passing as clean."""

import importlib.util
import json
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "audit_dependencies.py"


@pytest.fixture
def audit(monkeypatch):
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def run_with(report: dict | None, stderr: str = ""):
        def fake_run(command, **kwargs):
            if report is not None:
                Path(command[command.index("--output") + 1]).write_text(json.dumps(report))
            return subprocess.CompletedProcess(command, 1 if report is None else 0, "", stderr)

        monkeypatch.setattr(module.subprocess, "run", fake_run)
        return module.main()

    return run_with


def test_a_known_vulnerability_fails_the_run(audit, capsys):
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.0", "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"]}]},
            {"name": "redis", "version": "7.4.0", "vulns": []},
        ]
    }
    assert audit(report) == 1
    assert "VULNERABLE django 5.2.0: PYSEC-2025-1 (fixed in 5.2.1)" in capsys.readouterr().out


def test_a_clean_lock_file_passes(audit, capsys):
    assert audit({"dependencies": [{"name": "redis", "version": "7.4.0", "vulns": []}]}) == 0
    assert "1 pinned packages, no known vulnerabilities" in capsys.readouterr().out


def test_an_index_without_vulnerability_data_is_a_skip_not_a_pass(audit, capsys):
    report = {"dependencies": [{"name": "redis", "skip_reason": "Dependency not found on PyPI"}]}
    assert audit(report) == 0
    assert "SKIPPED" in capsys.readouterr().out


def test_an_unreachable_database_is_a_skip_with_the_reason(audit, capsys):
    assert audit(None, stderr="requests.exceptions.ConnectionError: Failed to resolve 'api.osv.dev'") == 0
    out = capsys.readouterr().out
    assert "SKIPPED" in out and "Failed to resolve" in out
