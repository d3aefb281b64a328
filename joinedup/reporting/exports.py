"""CSV and XLSX files of a report's tables: the same cells the page shows, stamped with what they are."""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from .presenters import Report, Table, stamp


def as_csv(report: Report, table: Table, made_at) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for name, value in stamp(report, made_at):
        writer.writerow([name, value])
    writer.writerow(["Table", table.caption])
    writer.writerow([])
    writer.writerow([c.heading for c in table.columns])
    for row in table.rows:
        writer.writerow([cell.value if cell.value is not None else "" for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the byte order mark makes Excel read UTF-8


def as_xlsx(report: Report, table: Table, made_at) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = table.slug[:31]
    for name, value in stamp(report, made_at):
        sheet.append([name, value])
    sheet.append(["Table", table.caption])
    sheet.append([])
    sheet.append([c.heading for c in table.columns])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([cell.value if cell.value is not None else "" for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
