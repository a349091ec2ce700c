"""When the storms' clients act: evenly, at seeded random moments, or half in a burst."""

import pytest

from bench.client import BenchError
from bench.scenarios import arrival_offsets


def test_even_arrivals_take_turns_across_the_window():
    assert arrival_offsets(count=4, window=10.0, arrivals="even") == [0.0, 2.5, 5.0, 7.5]


def test_random_arrivals_fall_within_the_window_and_are_the_same_in_every_run():
    offsets = arrival_offsets(count=2000, window=10.0, arrivals="random")
    assert all(0 <= at <= 10.0 for at in offsets)
    assert offsets == arrival_offsets(count=2000, window=10.0, arrivals="random")
    # Uniform, not even: some seconds get more than their share.
    per_second = [sum(1 for at in offsets if second <= at < second + 1) for second in range(10)]
    assert max(per_second) > 200 > min(per_second)


def test_a_burst_brings_half_of_them_within_the_first_second():
    offsets = arrival_offsets(count=2000, window=10.0, arrivals="burst")
    assert sum(1 for at in offsets if at < 1.0) >= 1000
    assert all(0 <= at <= 10.0 for at in offsets)


def test_an_unknown_pattern_is_refused_by_name():
    with pytest.raises(BenchError, match="even, random, burst"):
        arrival_offsets(count=3, window=1.0, arrivals="poisson")
