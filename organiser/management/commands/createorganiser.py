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
            "--password-stdin", action="store_true", help="Read the password from standard input (first line)."
        )

    def handle(self, *args, username: str, password_stdin: bool, **options):
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        try:
            user = organiser_create(username=username, password=password)
        except Invalid as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"{user.get_username()} may organise events; sign in at /accounts/login/ and open /organise/."
        )
