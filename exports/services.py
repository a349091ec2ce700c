"""Writing an event's exports (xlsx, csv, json) and recording each in the audit log."""

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from audit.services import audit_log
from livehub.errors import Invalid
from sessions.models import Event
from sessions.selectors import session_get

from .report import event_report
from .selectors import SHEETS, Scope, Sheet, local

FORMATS = ("xlsx", "csv", "json")
# Column widths in characters: wide for texts, narrow for counts, the header's length otherwise.
WIDE = {
    "text": 60,
    "original_text": 40,
    "prompt": 50,
    "option": 40,
    "session": 32,
    "from_option": 28,
    "to_option": 28,
    "flagged_words": 20,
    "who": 24,
    "target": 16,
}
TIME_WIDTH = 19


def export_scope(*, event: Event, session_id: int | None) -> Scope:
    session = session_get(event_id=event.pk, session_id=session_id) if session_id is not None else None
    return Scope(event=event, session=session)


def event_export(*, scope: Scope, format: str, out: IO[bytes] | Path, actor: str) -> None:
    """Write the export to `out` (a binary file; a folder for csv) and log who took it.

    xlsx: one workbook, a sheet per kind of row; csv: a file per sheet (into the folder `out`, or
    zipped into the file `out`); json: one document {"event", "session", "sheets": {name: [rows]}}.
    """
    if format not in FORMATS:
        raise Invalid(
            _("Unknown export format %(format)s: one of %(formats)s.")
            % {"format": repr(format), "formats": ", ".join(FORMATS)},
            fields={"format": format},
        )
    if format == "xlsx":
        _write_xlsx(scope, out)
    elif format == "csv":
        _write_csv(scope, out)
    else:
        _write_json(scope, out)
    with transaction.atomic():
        session = scope.session.pk if scope.session else None
        audit_log(event=scope.event, actor=actor, action="exported", format=format, session=session)


def report_read(*, scope: Scope, actor: str) -> dict[str, Any]:
    """The report's figures for `actor`, who is written to the audit log as having read them."""
    figures = event_report(scope)
    with transaction.atomic():
        audit_log(event=scope.event, actor=actor, action="report_read")
    return figures


def _typed_rows(sheet: Sheet, scope: Scope) -> Iterator[list[Any]]:
    """The sheet's rows with its times in the event's zone (naive: a spreadsheet has no zones)."""
    zone = scope.zone
    times = [index for index, column in enumerate(sheet.columns) if column in sheet.times]
    for row in sheet.rows(scope):
        values = [None if value == "" else value for value in row]  # an empty cell, not an empty text
        for index in times:
            values[index] = local(values[index], zone)
        yield values


def _write_xlsx(scope: Scope, out: IO[bytes] | Path) -> None:
    workbook = Workbook(write_only=True)  # streams each row to disk: memory stays flat
    bold = Font(bold=True)
    for sheet in SHEETS:
        worksheet = workbook.create_sheet(sheet.name)
        worksheet.freeze_panes = "A2"
        for number, column in enumerate(sheet.columns, start=1):
            width = TIME_WIDTH if column in sheet.times else WIDE.get(column, max(len(column) + 2, 8))
            worksheet.column_dimensions[get_column_letter(number)].width = width
        header = []
        for column in sheet.columns:
            cell = WriteOnlyCell(worksheet, value=column)
            cell.font = bold
            header.append(cell)
        worksheet.append(header)
        for values in _typed_rows(sheet, scope):
            for index, column in enumerate(sheet.columns):
                if column in sheet.times and values[index] is not None:
                    cell = WriteOnlyCell(worksheet, value=values[index])
                    cell.number_format = "yyyy-mm-dd hh:mm:ss"
                    values[index] = cell
            worksheet.append(values)
    workbook.save(out)


def _local_rows(sheet: Sheet, scope: Scope) -> Iterator[list[Any]]:
    zone = scope.zone
    for row in sheet.rows(scope):
        yield [value.astimezone(zone).isoformat() if isinstance(value, datetime) else value for value in row]


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _write_sheet_csv(sheet: Sheet, scope: Scope, stream: IO[str]) -> None:
    writer = csv.writer(stream)
    writer.writerow(sheet.columns)
    for values in _local_rows(sheet, scope):
        writer.writerow([_csv_value(value) for value in values])


def _write_csv(scope: Scope, out: IO[bytes] | Path) -> None:
    if isinstance(out, Path):  # a folder of files
        out.mkdir(parents=True, exist_ok=True)
        for sheet in SHEETS:
            with (out / f"{sheet.name}.csv").open("w", newline="", encoding="utf-8") as stream:
                _write_sheet_csv(sheet, scope, stream)
        return
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for sheet in SHEETS:
            with archive.open(f"{sheet.name}.csv", "w") as member:
                stream = io.TextIOWrapper(member, encoding="utf-8", newline="")
                _write_sheet_csv(sheet, scope, stream)
                stream.flush()
                stream.detach()


def _write_json(scope: Scope, out: IO[bytes] | Path) -> None:
    if isinstance(out, Path):
        with out.open("wb") as stream:
            return _write_json(scope, stream)
    stream = io.TextIOWrapper(out, encoding="utf-8")
    head = {
        "event": scope.event.code,
        "session": scope.session.pk if scope.session else None,
        "timezone": scope.event.timezone,
    }
    stream.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "sheets": {')
    for number, sheet in enumerate(SHEETS):
        stream.write(("," if number else "") + f"\n{json.dumps(sheet.name)}: [")
        for index, values in enumerate(_local_rows(sheet, scope)):
            row = dict(zip(sheet.columns, values, strict=True))
            stream.write(("," if index else "") + "\n  " + json.dumps(row, ensure_ascii=False))
        stream.write("\n]")
    stream.write("}}\n")
    stream.flush()
    stream.detach()


def export_filename(*, scope: Scope, format: str) -> str:
    """`SFH2022.xlsx`, `SFH2022-session-4.xlsx`; csv comes zipped over HTTP."""
    name = scope.event.code + (f"-session-{scope.session.pk}" if scope.session else "")
    return f"{name}.{'zip' if format == 'csv' else format}"
