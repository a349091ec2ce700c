"""`manage.py loadtest`: measure a deployment with the public contract only (bench/ does the work)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bench.client import BenchError
from bench.proc import Servers
from bench.run import role_key, run
from bench.scenarios import ARRIVALS, SCENARIOS, Target


class Command(BaseCommand):
    help = (
        "Load-test a LiveHub deployment over its public API and socket: fan-out latency, vote and poll "
        "storms, connect and join storms. The fan-out scenario changes a session's status (live/paused) and the "
        "vote and poll scenarios add a question and a poll: run it on a rehearsal event, not the live one."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            action="append",
            help="Base URL of a server process (repeat for several; attendees are spread over them). "
            "Default http://127.0.0.1:8000.",
        )
        parser.add_argument("--code", default="SFH2022", help="Event code (default SFH2022).")
        parser.add_argument("--clients", type=int, default=200, help="Attendee sockets (default 200).")
        parser.add_argument("--mode", choices=("room", "online", "mix"), default="mix")
        parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="fanout")
        parser.add_argument(
            "--key", help="Moderator role link (the URL printed by `manage.py rolelink CODE moderator`, or its key)."
        )
        parser.add_argument("--session", type=int, help="Session to use (default: the first talk or roundtable).")
        parser.add_argument("--messages", type=int, default=20, help="fanout: status changes (default 20).")
        parser.add_argument("--interval", type=float, default=0.25, help="fanout: seconds between them.")
        parser.add_argument("--window", type=float, default=10.0, help="votes/polls/connect: spread over seconds.")
        parser.add_argument(
            "--arrivals",
            choices=ARRIVALS,
            default="even",
            help="votes/polls/connect: even (one after another), random (each at a seeded random moment of the "
            "window), burst (half within the first second).",
        )
        parser.add_argument(
            "--server-pid",
            type=int,
            action="append",
            default=[],
            help="PID of a local server process, to report its CPU and memory (repeatable).",
        )
        parser.add_argument(
            "--floor",
            default="auto",
            help="fanout, joins: 'auto' runs the floor (bare websockets; a trivial Django view) on this machine "
            "first and reports ratios to it; 'none' skips it; a URL uses a floor already running.",
        )
        parser.add_argument("--concurrency", type=int, default=32, help="joins: joins in flight (default 32).")
        parser.add_argument("--loop", choices=("uvloop", "asyncio"), default="uvloop", help="The client's loop.")
        parser.add_argument("--json", type=Path, help="Also write the results to this JSON file.")
        parser.add_argument(
            "--tokens",
            type=Path,
            help="Keep the joined participants' tokens in this file and reuse them next time (joining is "
            "setup, and the join API is rate limited per address).",
        )

    def handle(self, *args, **options):
        urls = options["url"] or ["http://127.0.0.1:8000"]
        key = role_key(options["key"]) if options["key"] else None
        if key is None and options["scenario"] not in ("connect", "joins"):
            key = self._local_key(options["code"])
        tokens_file: Path | None = options["tokens"]
        tokens = tokens_file.read_text().split() if tokens_file and tokens_file.exists() else []
        target = Target(
            name=f"LiveHub {', '.join(urls)}",
            tokens=tokens,
            urls=urls,
            code=options["code"],
            moderator_key=key,
            session_id=options["session"],
            servers=Servers(tuple(options["server_pid"])),
        )
        if options["scenario"] == "fanout":
            extra = {"messages": options["messages"], "interval": options["interval"]}
        elif options["scenario"] == "joins":
            extra = {"concurrency": options["concurrency"]}
        else:
            extra = {"window": options["window"], "arrivals": options["arrivals"]}
        try:
            results = run(
                scenario=options["scenario"],
                targets=[target],
                clients=options["clients"],
                mode=options["mode"],
                floor=options["floor"],
                loop=options["loop"],
                out=self.stdout,
                **extra,
            )
        except (BenchError, OSError) as error:
            raise CommandError(f"{error.__class__.__name__}: {error}") from None
        finally:
            if tokens_file and target.tokens:
                tokens_file.write_text("\n".join(target.tokens) + "\n")
        if options["json"]:
            options["json"].write_text(json.dumps([r.as_dict() for r in results], indent=2))

    def _local_key(self, code: str) -> str:
        """No --key: sign one for the event in this installation's database, if it is there."""
        from livehub.errors import NotFound
        from sessions.rolelinks import role_key_make
        from sessions.selectors import event_get

        try:
            event = event_get(code=code)
        except NotFound:
            raise CommandError(f"no event {code} here: pass --key with a moderator role link") from None
        self.stderr.write("No --key: using a moderator link signed with this installation's settings.")
        return role_key_make(event=event, role="moderator", hours=2)
