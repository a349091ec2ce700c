from django.core.management.base import BaseCommand, CommandError

from livehub.errors import NotFound
from sessions.selectors import event_get
from sessions.services import audience_purge


class Command(BaseCommand):
    help = (
        "After the congress: delete an event's audience data (participants, questions, votes, poll answers, "
        "command receipts), or with --anonymise keep questions and results with every link to a person cut."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="Event code, e.g. SFH2022.")
        parser.add_argument(
            "--anonymise",
            action="store_true",
            help="Keep questions (without authors), vote totals and poll results; delete the rest.",
        )

    def handle(self, *args, code: str, anonymise: bool, **options):
        try:
            event = event_get(code=code)
        except NotFound as error:
            raise CommandError(error.message) from None
        report = audience_purge(event=event, anonymise=anonymise)
        verb = "Anonymised" if anonymise else "Deleted"
        self.stdout.write(f"{verb} the audience data of {event.code}:")
        for name, count in report.items():
            self.stdout.write(f"  {name.replace('_', ' ')}: {count}")
