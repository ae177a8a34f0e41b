"""The need list (需求清单) as an Excel workbook, for staff to take to meetings and reports.

The file leaves the building, so it carries what the need is about and how it went — never who asked:
no resident name, mobile, address, location or the resident's own words.
"""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .models import Claim, Need

MAX_ROWS = 5000
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _local(moment):
    # Excel has no time zones: write the local (Asia/Shanghai) wall time.
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _unit(need: Need) -> str:
    claims = [c for c in need.claims.all() if c.status in (*Claim.LIVE, Claim.Status.DONE)]
    claims.sort(key=lambda c: (c.created_at, c.pk), reverse=True)
    return claims[0].holder_label if claims else ""


def _bold(sheet, value) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.font = Font(bold=True)
    return cell


def _plain(sheet, value):
    """Text as text: a unit or grid named "=…" must not become a formula in the reader's Excel."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def _columns():
    return [
        (_("Number"), 8, lambda n: n.pk),
        (_("Submitted at"), 17, lambda n: _local(n.submitted_at)),
        (_("Community"), 14, lambda n: n.community.name),
        (_("Grid"), 12, lambda n: n.grid.name if n.grid else ""),
        (_("Category"), 16, lambda n: n.category.label),
        (_("Urgency"), 8, lambda n: str(n.get_urgency_display())),
        (_("Status"), 16, lambda n: str(n.get_status_display())),
        (_("Level"), 10, lambda n: str(n.get_level_display())),
        (_("First response at"), 17, lambda n: _local(n.first_response_at)),
        (_("First response due"), 17, lambda n: _local(n.first_response_due_at)),
        (_("Completion due"), 17, lambda n: _local(n.completion_due_at)),
        (_("Overdue"), 8, lambda n: _("yes") if n.is_overdue else ""),
        (_("Unit"), 20, _unit),
        (_("Completed at"), 17, lambda n: _local(n.completed_at)),
        (_("Rating"), 8, lambda n: next((r.stars for r in n.ratings.all()), None)),
    ]


def need_list_workbook(needs) -> tuple[bytes, int, bool]:
    """The workbook of at most MAX_ROWS needs: (the .xlsx bytes, rows written, whether rows were left out)."""
    columns = _columns()
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Need list"))
    for index, (_title, width, _value) in enumerate(columns):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_bold(sheet, title) for title, _width, _value in columns])
    rows = list(needs[:MAX_ROWS + 1])
    cut = len(rows) > MAX_ROWS
    for need in rows[:MAX_ROWS]:
        sheet.append([_plain(sheet, value(need)) for _title, _width, value in columns])
    if cut:
        sheet.append([_("Only the first %(n)s needs are listed: narrow the filter to export the rest.")
                      % {"n": MAX_ROWS}])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), min(len(rows), MAX_ROWS), cut

