"""bench-check's verdict: ratios to the floor held to the stored bounds; its own database."""

import json

from bench.check import STORED, bench_database_url, verdict


def test_a_ratio_within_its_bound_passes_and_one_beyond_fails_naming_it():
    stored = {"delivery": {"ratio": 2.0, "tolerance": 1.5}, "vote": {"ratio": 100, "tolerance": 1.5}}
    assert verdict({"delivery": 2.9, "vote": 150}, stored) == []
    failures = verdict({"delivery": 3.1, "vote": 120}, stored)
    assert len(failures) == 1 and "CPU per delivery 3.10x" in failures[0] and "3.00x" in failures[0]


def test_the_stored_bounds_cover_both_figures():
    stored = json.loads(STORED.read_text())
    for name in ("delivery", "vote"):
        assert stored[name]["ratio"] > 0 and stored[name]["tolerance"] >= 1


def test_the_check_works_on_a_database_of_its_own():
    url = "postgres://postgres@127.0.0.1:5432/livehub"
    assert bench_database_url(url) == "postgres://postgres@127.0.0.1:5432/livehub_bench"
