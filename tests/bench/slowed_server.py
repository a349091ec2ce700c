"""Uvicorn serving LiveHub with every vote made slower by busy work (`SLOWED_VOTE_MS`, CPU time):
the regression bench-check must catch (`python -m bench.check --wrapper tests.bench.slowed_server`)."""

import os
import sys
import time


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "livehub.settings")
    django.setup()
    from qa import services

    vote = services.question_vote
    extra = float(os.environ.get("SLOWED_VOTE_MS", "3")) / 1000

    def slowed_vote(**kwargs):
        until = time.thread_time() + extra
        while time.thread_time() < until:
            pass
        return vote(**kwargs)

    services.question_vote = slowed_vote
    from uvicorn.main import main as uvicorn

    sys.exit(uvicorn())


if __name__ == "__main__":
    main()
