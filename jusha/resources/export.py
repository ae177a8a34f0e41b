"""The resource list as an Excel workbook (openpyxl), for staff who file or print the 资源清单."""

from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from .forms import WEEKDAYS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DAY = dict(WEEKDAYS)


def availability_text(slots: list[dict]) -> str:
    return "; ".join(f"{_DAY[s['weekday']]} {s['start']}–{s['end']}" for s in slots)


def _safe(value: str) -> str:
    # A cell starting with = + - @ would be run as a formula by the spreadsheet (CSV/formula injection).
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def workbook(resources) -> Workbook:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Resources")[:31]
    header = [_("No."), _("Member unit"), _("Kind"), _("Title"), _("Description"), _("Need categories"),
              _("Capacity"), _("Capacity per"), _("Availability"), _("Service area"), _("Contact person"),
              _("Contact mobile"), _("Status"), _("Reviewed at")]
    sheet.append(header)
    for resource in resources.iterator(chunk_size=500):
        sheet.append([
            resource.pk, _safe(resource.member_unit.name), resource.get_kind_display(), _safe(resource.title),
            _safe(resource.description), "、".join(c.label for c in resource.categories.all()),
            resource.capacity, resource.get_capacity_period_display(), availability_text(resource.availability),
            "、".join(c.name for c in resource.service_area.all()), _safe(resource.contact_name),
            resource.contact_mobile, resource.get_status_display(),
            timezone.localtime(resource.reviewed_at).strftime("%Y-%m-%d %H:%M") if resource.reviewed_at else "",
        ])
    sheet.freeze_panes = "A2"
    for i, width in enumerate([8, 24, 10, 24, 40, 24, 10, 10, 30, 30, 12, 14, 10, 16], start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    return book


def xlsx_response(resources) -> HttpResponse:
    out = BytesIO()
    workbook(resources).save(out)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="resources-{stamp}.xlsx"'
    return response
