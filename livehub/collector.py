"""The garbage collector of a server process: no stop of a third of a second under load.

A process serving 2,000 sockets holds about a million objects that live as long as their
sockets (protocol state, tasks, outboxes). With CPython's default thresholds a storm of
commands makes it collect the oldest generation, all of them, every few seconds, with the
event loop stopped: 100 to 640 ms a time, measured (docs/performance.md, "Garbage collection").
What exists once the application is loaded (modules, classes, Django's apps) is frozen out of
every collection, and young collections wait for 20,000 new objects instead of 700: most of
what a command allocates is freed by reference counting before a collection sees it, so far
fewer objects are promoted and the oldest generation is rarely collected.
"""

import gc

from django.conf import settings


def collector_tune() -> None:
    """Call once the application is loaded, before serving."""
    gc.collect()
    gc.freeze()
    thresholds = settings.LIVEHUB_GC_THRESHOLDS
    if thresholds:
        gc.set_threshold(*thresholds)
