from django.core.management.base import BaseCommand, CommandError

from staff import services, throttle
from staff.selectors import account_named


class Command(BaseCommand):
    help = "Lift the sign-in lock of an account (after too many wrong passwords) before its 15 minutes are over."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="The account, e.g. moderator.")
        parser.add_argument("--all", action="store_true", help="Every account and every address.")

    def handle(self, *args, username: str | None, all: bool, **options):
        if all:
            throttle.all_clear()
            self.stdout.write("Sign-in locks lifted for every account and address.")
            return
        if not username:
            raise CommandError("Name the account to unlock (or --all).")
        if account_named(username) is None:
            raise CommandError(f"There is no account {username!r}.")
        services.account_unlock(username=username)
        self.stdout.write(f"{username} may sign in again.")
