"""The join buckets: a hall behind one address gets in within a minute, a flood stays bounded.

Run on the shared (Redis) buckets and on the embedded default's in-memory ones, with their clock
stopped and moved on as a client would wait."""

import pytest

from livehub.errors import RateLimited
from livehub.realtime.ratelimit import joins_take

VENUE = "198.51.100.7"


@pytest.fixture(params=["redis", "memory"])
def buckets(request, settings, stopped_wallclock):
    if request.param == "memory":
        settings.REDIS_URL = ""
    return stopped_wallclock


def join_until_in(clock, *, event_id: int = 1, address: str = VENUE) -> None:
    """One phone: join, and on 429 wait as long as asked, until it is in."""
    while True:
        try:
            joins_take(event_id=event_id, address=address)
            return
        except RateLimited as refused:
            clock[0] += refused.retry_after


def test_a_hall_of_2000_behind_the_venue_address_is_in_within_a_minute(buckets):
    started = buckets[0]
    for _ in range(2000):
        join_until_in(buckets)
    assert buckets[0] - started <= 60


def test_the_first_thousand_get_in_at_once(buckets):
    for _ in range(1000):
        joins_take(event_id=1, address=VENUE)
    with pytest.raises(RateLimited) as refused:
        joins_take(event_id=1, address=VENUE)
    assert 0 < refused.value.retry_after <= 0.1  # 20 a second after the burst


def test_a_flood_from_one_address_gets_no_further_than_the_burst_and_the_rate(buckets):
    """A script hammering without waiting for a minute: 1,000 at once, then 20 a second."""
    allowed = 0
    for _tick in range(600):  # every 0.1 s for a minute, 50 tries each
        for _ in range(50):
            try:
                joins_take(event_id=1, address=VENUE)
                allowed += 1
            except RateLimited:
                pass
        buckets[0] += 0.1
    assert 1000 + 20 * 59 <= allowed <= 1000 + 20 * 60


def test_another_address_is_not_held_up_by_a_full_venue(buckets):
    for _ in range(1000):
        joins_take(event_id=1, address=VENUE)
    with pytest.raises(RateLimited):
        joins_take(event_id=1, address=VENUE)
    joins_take(event_id=1, address="203.0.113.9")


def test_the_event_has_a_ceiling_whatever_the_addresses(buckets, settings):
    settings.LIVEHUB_EVENT_JOINS_BURST = 30
    settings.LIVEHUB_EVENT_JOINS_PER_MINUTE = 60
    for index in range(30):
        joins_take(event_id=1, address=f"10.0.0.{index}")
    with pytest.raises(RateLimited) as refused:
        joins_take(event_id=1, address="10.0.1.1")
    assert refused.value.retry_after == pytest.approx(1.0)
    joins_take(event_id=2, address="10.0.1.1")  # another event is not affected


def test_a_join_refused_by_one_bucket_takes_nothing_from_the_other(buckets, settings):
    settings.LIVEHUB_EVENT_JOINS_BURST = 1
    settings.LIVEHUB_EVENT_JOINS_PER_MINUTE = 60
    settings.LIVEHUB_JOINS_BURST = 2
    joins_take(event_id=1, address=VENUE)
    for _ in range(5):  # refused by the event's bucket: the address keeps its second token
        with pytest.raises(RateLimited):
            joins_take(event_id=1, address=VENUE)
    buckets[0] += 1
    joins_take(event_id=1, address=VENUE)
