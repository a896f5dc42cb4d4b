"""Reading a spreadsheet into rows: CSV (UTF-8 with or without BOM, `;` or `,`) or XLSX.

Nothing here knows posts: a row is its line number in the file and its cells by
column name. Every problem is a `LineError` naming the line and the column, so that a
person can find it in their spreadsheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_BYTES = 1024 * 1024
MAX_LINES = 500

# The columns, in the template's order, with the names a French spreadsheet may use.
COLUMNS = {
    "date": ("date",),
    "time": ("time", "heure"),
    "title": ("title", "titre"),
    "text": ("text", "texte"),
    "channels": ("channels", "channel", "canaux", "canal"),
    "category": ("category", "catégorie", "categorie"),
    "campaign": ("campaign", "campagne"),
    "notes": ("notes", "note", "remarques"),
}
REQUIRED = ("date", "time", "title", "text", "channels")
COLUMN_HELP = {
    "date": gettext_lazy("Day the post goes out: 2026-12-07 or 07/12/2026."),
    "time": gettext_lazy("Time on your clock (your time zone): 09:30 or 9h30."),
    "title": gettext_lazy("Internal title, 200 characters at most."),
    "text": gettext_lazy("The text published."),
    "channels": gettext_lazy("One or more channels, by name or handle, separated by “|” or “,”."),
    "category": gettext_lazy("Optional: cold news (default), institutional, prevention…"),
    "campaign": gettext_lazy("Optional: the name of an existing campaign."),
    "notes": gettext_lazy("Optional: a note added as a comment on the post."),
}


@dataclass
class LineError:
    line: int | None
    column: str
    message: str


@dataclass
class Row:
    line: int
    cells: dict[str, object] = field(default_factory=dict)


class FileRefused(Exception):
    """The file as a whole cannot be read; `errors` say why."""

    def __init__(self, errors: list[LineError]):
        super().__init__("; ".join(error.message for error in errors))
        self.errors = errors


def _refuse(message: str, line: int | None = None, column: str = "") -> FileRefused:
    return FileRefused([LineError(line, column, message)])


def read_file(name: str, data: bytes) -> list[Row]:
    if len(data) > MAX_BYTES:
        raise _refuse(
            _("The file is larger than %(max)s MB: split the plan into several files.")
            % {"max": MAX_BYTES // (1024 * 1024)}
        )
    if name.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        table = _xlsx_rows(data)
    else:
        table = _csv_rows(data)
    return _rows(table)


def _csv_rows(data: bytes) -> list[tuple[int, list]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(
            _(
                "The file is not in UTF-8. In your spreadsheet, save it as “CSV UTF-8” "
                "and import it again."
            )
        ) from None
    first = text.split("\n", 1)[0]
    # A French spreadsheet writes `;` (its decimal comma takes `,`): whichever the
    # header line holds more of.
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, previous = [], 0
    try:
        for row in reader:
            # The line the record starts on (a quoted cell may span several).
            rows.append((previous + 1, row))
            previous = reader.line_num
        return rows
    except csv.Error as exc:
        raise _refuse(
            _("Line %(line)s cannot be read: %(reason)s") % {"line": reader.line_num, "reason": exc}
        ) from None


def _xlsx_rows(data: bytes) -> list[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise _refuse(_("The file is not a spreadsheet Cadence can read (CSV or XLSX).")) from None
    try:
        sheet = book.worksheets[0]
        rows = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = ["" if value is None else value for value in row]
            if not any(str(cell).strip() for cell in cells):
                continue  # formatted but empty: a sheet's rows often run on below the data
            rows.append((number, cells))
            if len(rows) > MAX_LINES + 1:
                break  # enough to say there are too many
        return rows
    finally:
        book.close()


def _header_key(title) -> str | None:
    name = str(title or "").strip().lower()
    for key, names in COLUMNS.items():
        if name in names:
            return key
    return None


def _rows(table: list[tuple[int, list]]) -> list[Row]:
    table = [(line, cells) for line, cells in table if any(str(c).strip() for c in cells)]
    if not table:
        raise _refuse(_("The file is empty."))
    header_line, header = table[0]
    keys = [_header_key(title) for title in header]
    missing = [column for column in REQUIRED if column not in keys]
    if missing:
        raise _refuse(
            _("Line %(line)s must name the columns; missing: %(columns)s.")
            % {"line": header_line, "columns": ", ".join(missing)},
            header_line,
        )
    body = table[1:]
    if not body:
        raise _refuse(_("The file has no line after the column names."))
    if len(body) > MAX_LINES:
        raise _refuse(
            _("The file has %(count)s lines: %(max)s at most per import.")
            % {"count": len(body), "max": MAX_LINES}
        )
    rows = []
    for line, cells in body:
        row = Row(line)
        for key, value in zip(keys, cells, strict=False):
            if key:
                row.cells[key] = value.strip() if isinstance(value, str) else value
        rows.append(row)
    return rows


def parse_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def parse_time(value) -> dt.time | None:
    if isinstance(value, dt.datetime):
        return value.time().replace(second=0, microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    text = str(value or "").strip().lower().replace("h", ":")
    if text.endswith(":"):
        text += "00"
    for pattern in ("%H:%M", "%H:%M:%S"):
        try:
            return dt.datetime.strptime(text, pattern).time().replace(second=0)
        except ValueError:
            continue
    return None
