"""The networked CI runs the same `.ci/run` as our machines, and the audits that need a network."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_the_workflow_is_valid_yaml_that_runs_ci_run_and_both_audits():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    steps = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert any(run.strip() == ".ci/run" for run in steps)
    assert any("pip-audit" in run and "requirements.lock" in run for run in steps)
    assert any(run.startswith("npm audit --omit=dev") for run in steps)
