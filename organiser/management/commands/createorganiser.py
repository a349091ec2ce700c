import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from livehub.errors import Invalid
from organiser.services import organiser_create


class Command(BaseCommand):
    help = "Create an account that may organise events (or let an existing one), with a password."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--event",
            action="append",
            default=[],
            metavar="CODE",
            dest="events",
            help="An event the account organises (repeat for several); an account organises no event without.",
        )
        parser.add_argument(
            "--password-stdin", action="store_true", help="Read the password from standard input (first line)."
        )

    def handle(self, *args, username: str, password_stdin: bool, events: list[str], **options):
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        try:
            user = organiser_create(username=username, password=password, event_codes=events)
        except Invalid as error:
            raise CommandError(error.message) from None
        organised = ", ".join(user.organised_events.order_by("code").values_list("code", flat=True))
        self.stdout.write(
            f"{user.get_username()} may organise events ({organised or 'none yet: grant them with --event CODE'}); "
            "sign in at /accounts/login/ and open /organise/."
        )
