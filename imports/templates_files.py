"""The template files offered for download: the columns and one example line."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.utils import timezone

from imports.reading import COLUMNS


def _example() -> list[str]:
    monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
    return [
        monday.isoformat(),
        "09:30",
        "Conseils prévention cambriolages",
        "Avant de partir en vacances, pensez à l'Opération Tranquillité Vacances.",
        "Police nationale | @police",
        "prevention",
        "",
        "",
    ]


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(list(COLUMNS))
    writer.writerow(_example())
    # With a BOM: Excel then opens it as UTF-8.
    return "\ufeff".encode() + out.getvalue().encode()


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Plan"
    sheet.append(list(COLUMNS))
    sheet.append(_example())
    for column, width in zip("ABCDEFGH", (12, 8, 30, 60, 30, 14, 20, 30), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
