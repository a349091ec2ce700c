"""A server process's garbage collector: what is loaded is frozen, young collections come later."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = "import gc, json, livehub.asgi; print(json.dumps([gc.get_threshold(), gc.get_freeze_count()]))"


def server_process(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k != "LIVEHUB_GC_THRESHOLDS"}
    clean.update(env, DJANGO_SETTINGS_MODULE="livehub.settings")
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_a_server_process_freezes_what_it_loaded_and_collects_young_objects_less_often():
    thresholds, frozen = json.loads(server_process().stdout)
    assert thresholds == [20000, 20, 10]
    assert frozen > 50_000  # Django, Channels and LiveHub's modules, out of every collection


@pytest.mark.parametrize(("value", "expected"), [("", [700, 10, 10]), ("5000,10,10", [5000, 10, 10])])
def test_the_operator_sets_the_thresholds_or_keeps_cpythons(value, expected):
    thresholds, _frozen = json.loads(server_process(LIVEHUB_GC_THRESHOLDS=value).stdout)
    assert thresholds == expected


def test_a_threshold_that_is_not_a_number_stops_the_server_with_a_clear_message():
    result = server_process(LIVEHUB_GC_THRESHOLDS="lots")
    assert result.returncode != 0
    assert "LIVEHUB_GC_THRESHOLDS: up to three whole numbers" in result.stderr
