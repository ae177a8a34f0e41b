"""Workbooks handed out: the template, an export in the template, and the error report."""

import csv
import io
from collections.abc import Iterable

import openpyxl
from openpyxl.styles import Font, PatternFill

from .files import read_table, table_format
from .models import ImportJob
from .sheets import Sheet

_BOLD = Font(bold=True)
_ERROR = PatternFill("solid", fgColor="FFF2CC")
ERRORS_HEADER = "错误"  # the file format's own column name, like the template headers


def workbook(sheet: Sheet, rows: Iterable[dict]) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet(sheet.kind)
    ws.append([c.header for c in sheet.columns])
    for row in rows:
        ws.append([row.get(c.key) for c in sheet.columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template(sheet: Sheet) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet.kind
    ws.append([c.header + ("*" if c.required else "") for c in sheet.columns])
    ws.append([c.example for c in sheet.columns])
    for cell in ws[1]:
        cell.font = _BOLD
    for index, column in enumerate(sheet.columns, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        ws.column_dimensions[letter].width = max(12, len(column.example) + 4)
        # "@": typed numbers stay text, so a leading zero or an 11-digit mobile survives Excel.
        for row in range(2, 1002):
            ws.cell(row, index).number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def error_report(job: ImportJob) -> tuple[str, bytes, str]:
    """The uploaded file with an errors column: (file name, bytes, content type)."""
    by_row: dict[int, list[str]] = {}
    for error in job.report.get("errors", []):
        by_row.setdefault(error["row"], []).append(error["message"])
    content = bytes(job.content)
    stem = job.filename.rsplit(".", 1)[0]
    if table_format(job.filename) == "csv":
        table = read_table(job.filename, content)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([*table.headers, ERRORS_HEADER])
        for n, values in table.rows:
            writer.writerow([*values[: len(table.headers)], *[""] * (len(table.headers) - len(values)),
                             "；".join(by_row.get(n, []))])
        return f"{stem}-errors.csv", ("\ufeff" + out.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"
    book = openpyxl.load_workbook(io.BytesIO(content))
    ws = book.worksheets[0]
    table = read_table(job.filename, content, header_only=True)
    column = ws.max_column + 1
    ws.cell(table.header_row, column, ERRORS_HEADER).font = _BOLD
    for n, messages in by_row.items():
        cell = ws.cell(n, column, "；".join(messages))
        cell.fill = _ERROR
    out = io.BytesIO()
    book.save(out)
    return (f"{stem}-errors.xlsx", out.getvalue(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
