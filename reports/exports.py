"""Files a report leaves as: any table as CSV, the report as PDF, the audit trail of a
period as CSV.

CSV: UTF-8 with a byte-order mark, so Excel opens accents right; the separator and the
decimal mark follow the language, as the spreadsheets of that language expect them
(French: `;` and a decimal comma, since the comma is the decimal mark; English: `,`
and a point). Times in the user's zone, written in ISO 8601 with their offset.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.utils.translation import get_language

from reports.figures import Table

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """A file-like that hands back the line csv.writer just wrote."""

    def write(self, value: str) -> str:
        return value


def dialect() -> tuple[str, str]:
    """(separator, decimal mark) for the active language."""
    if (get_language() or "").startswith("fr"):
        return ";", ","
    return ",", "."


def _cell(value, decimal: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", decimal)
    text = str(value)
    # A cell a spreadsheet would run as a formula (a comment typed as "=HYPERLINK(…)")
    # is written as text.
    if text[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def csv_lines(rows: Iterable[Iterable], separator: str, decimal: str) -> Iterator[str]:
    """The lines of a CSV file, BOM first, one row at a time (constant memory). The
    dialect is given, not read here: a streamed file is written after the view has
    returned, once the request's language is no longer active."""
    writer = csv.writer(_Line(), delimiter=separator)
    yield BOM
    for row in rows:
        yield writer.writerow([_cell(value, decimal) for value in row])


def table_rows(table: Table) -> Iterator[list]:
    yield table.headers
    yield from table.rows


AUDIT_CHUNK = 500


def audit_rows(entries, headers: list[str], zone) -> Iterator[list]:
    """One row per entry of the trail: when (local time), who, what, on what, from and
    to which state, why. The trail holds no secret (editorial/audit.py), and its
    free-form `data` is left out."""
    yield headers
    for entry in entries.iterator(chunk_size=AUDIT_CHUNK):
        yield [
            entry.created_at.astimezone(zone).isoformat(timespec="seconds"),
            entry.actor_name,
            entry.action,
            f"{entry.object_type} #{entry.object_id}",
            entry.object_repr,
            entry.from_state,
            entry.to_state,
            entry.comment,
        ]


def pdf_bytes(html: str) -> bytes:
    """The report's HTML as PDF, with WeasyPrint: it lays out the page's own figures
    template and draws the SVG charts itself, styled by the page's stylesheet read from
    disk. It fetches nothing: the report names no other resource."""
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML

    def refuse(url: str, *args, **kwargs):
        raise ValueError(f"The report fetches nothing ({url}).")

    stylesheet = CSS(filename=finders.find("css/reports.css"))
    return HTML(string=html, url_fetcher=refuse).write_pdf(stylesheets=[stylesheet])
