"""The capacity table's model: attendees per core and the machine to rent follow the unit costs."""

from bench.costmodel import UnitCosts, attendees_per_core, machine_for, table

COSTS = UnitCosts(delivery_us=25, vote_ms=2.0, reaction_us=200, socket_kb=30, process_mb=120)


def test_attendees_per_core_in_each_moment_follow_its_unit_costs():
    assert attendees_per_core(COSTS) == {"busy Q&A": 6666, "vote storm": 10000, "reactions": 5000}


def test_the_machine_is_sized_by_the_costliest_moment_at_the_planned_load():
    # Reactions: 20,000 x 200 us = 4 cores of CPU, at 60 % of each: 7 cores; memory 7 x 120 MB + 20,000 x 30 KB.
    assert machine_for(20000, COSTS) == {
        "attendees": 20000,
        "server cores": 7,
        "server memory GB": 1.4,
        "PostgreSQL connections": 140,  # a pool of 20 a process
    }
    assert machine_for(100, COSTS)["server cores"] == 1


def test_a_costlier_reaction_needs_more_cores():
    costly = UnitCosts(delivery_us=25, vote_ms=2.0, reaction_us=400, socket_kb=30, process_mb=120)
    assert machine_for(20000, costly)["server cores"] > machine_for(20000, COSTS)["server cores"]


def test_the_table_names_every_size():
    printed = table(COSTS)
    assert "| 1,000 |" in printed and "| 5,000 |" in printed and "| 20,000 |" in printed
