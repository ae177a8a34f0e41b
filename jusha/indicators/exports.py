"""The indicator table as an Excel workbook: the same rows and columns as the console page.

Counts are whole numbers, rates are fractions formatted as percentages (so Excel sums and charts them as
numbers) and mean times are hours; an empty cell is a rate or mean with nothing to divide by ("—" on the
page). The file holds aggregates only, no case or person, so exporting it is not audited.
"""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .selectors import COUNTS, HOURS, RATES, Row, Table

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def columns() -> list[tuple[str, str, str]]:
    """(kind, code, header) for every figure column, in table order."""
    return ([("counts", code, str(label)) for code, label in COUNTS]
            + [("rates", code, str(label)) for code, label, _num, _den in RATES]
            + [("hours", code, str(label)) for code, label in HOURS])


def _cell(sheet, value, number_format: str = "", bold: bool = False):
    cell = WriteOnlyCell(sheet, value=value)
    if number_format:
        cell.number_format = number_format
    if bold:
        cell.font = Font(bold=True)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # a group named "=…" must not become a formula in the reader's Excel
    return cell


def _line(sheet, row: Row, *, bold: bool = False) -> list:
    cells = [_cell(sheet, row.label, bold=bold)]
    for kind, code, _header in columns():
        value = getattr(row, kind)[code]
        if kind == "rates":
            cells.append(_cell(sheet, None if value is None else value / 100, "0.00%", bold))
        elif kind == "hours":
            cells.append(_cell(sheet, value, "0.00", bold))
        else:
            cells.append(_cell(sheet, value, "0", bold))
    return cells


def indicator_workbook(table: Table, *, group_label: str) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Indicators"))
    sheet.column_dimensions["A"].width = 24
    for index in range(len(columns())):
        sheet.column_dimensions[get_column_letter(index + 2)].width = 12
    sheet.freeze_panes = "B4"
    as_of = timezone.localtime(table.as_of).strftime("%Y-%m-%d %H:%M")
    sheet.append([_cell(sheet, _("Case indicators"), bold=True), table.filters.period.label,
                  _("as of %(time)s") % {"time": as_of}])
    sheet.append([])
    sheet.append([_cell(sheet, group_label, bold=True)]
                 + [_cell(sheet, header, bold=True) for _kind, _code, header in columns()])
    for row in table.rows:
        sheet.append(_line(sheet, row))
    sheet.append(_line(sheet, table.total, bold=True))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
