from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exports.services import FORMATS, event_export, export_scope
from livehub.errors import NotFound
from sessions.selectors import event_get


class Command(BaseCommand):
    help = (
        "Export an event's data (or one session's) for the organiser: questions, polls, poll results, the debate "
        "swing, participation per 5 minutes and the moderation log. xlsx: one workbook; csv: a folder of files; "
        "json: one document."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="Event code, e.g. SFH2022.")
        parser.add_argument("--session", type=int, help="Only this session (its id, as in the admin).")
        parser.add_argument("--format", choices=FORMATS, required=True)
        parser.add_argument("--out", type=Path, required=True, help="The file to write (csv: a folder).")

    def handle(self, *args, code: str, session: int | None, format: str, out: Path, **options):
        try:
            scope = export_scope(event=event_get(code=code), session_id=session)
        except NotFound as error:
            raise CommandError(error.message) from None
        if format != "csv" and out.is_dir():
            raise CommandError(f"--out {out} is a folder; give the {format} file to write.")
        if format == "csv" and out.exists() and not out.is_dir():
            raise CommandError(f"--out {out} is a file; csv writes a folder of files.")
        event_export(scope=scope, format=format, out=out, actor="export_event command")
        self.stdout.write(f"Exported {scope.event.code}{f' session {session}' if session else ''} to {out}")
