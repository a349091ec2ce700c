import signal
import threading

from django.core.management.base import BaseCommand

from webhooks.worker import run


class Command(BaseCommand):
    help = "Send the queued webhook deliveries until stopped (SIGTERM finishes the requests in flight)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--concurrency", type=int, default=4, help="deliveries in flight at once")
        parser.add_argument("--idle", type=float, default=1.0, help="seconds between looks at an empty queue")

    def handle(self, *args, concurrency: int, idle: float, **options) -> None:
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        self.stdout.write(f"Delivering webhooks, {concurrency} at a time.", ending="\n")
        self.stdout.flush()
        run(stop=stop, concurrency=concurrency, idle=idle)
