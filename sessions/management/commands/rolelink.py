from django.core.management.base import BaseCommand, CommandError

from livehub.errors import NotFound
from sessions.rolelinks import ROLE_PAGES, role_link_url
from sessions.selectors import event_get


class Command(BaseCommand):
    help = "Print a signed, expiring link that opens an event as moderator or speaker."

    def add_arguments(self, parser):
        parser.add_argument("code", help="Event code, e.g. SFH2022.")
        parser.add_argument("role", choices=sorted(ROLE_PAGES))
        parser.add_argument("--hours", type=float, default=12.0, help="Validity in hours (default 12).")

    def handle(self, *args, code: str, role: str, hours: float, **options):
        try:
            event = event_get(code=code)
            self.stdout.write(role_link_url(event=event, role=role, hours=hours, issued_via="manage.py rolelink"))
        except NotFound as error:
            raise CommandError(error.message) from None
        except ValueError as error:
            raise CommandError(str(error)) from None
