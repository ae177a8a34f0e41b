"""The indicators page of the staff console: filters, the table, two charts and the Excel export."""

from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from jusha import permissions
from jusha.cases import selectors as case_selectors
from jusha.cases.models import Source
from jusha.core import clock
from jusha.permissions import Action
from jusha.places.models import Community
from jusha.web.console import console_view

from . import exports, periods, selectors
from .selectors import HOURS, RATES, IndicatorFilter, Table

# The rates drawn on the chart: how many cases are closed, and closed on time, of those due.
CHART_RATES = ("closing_rate", "on_time_closing_rate", "on_time_handling_rate")
CHART_COUNTS = ("accepted", "filed", "dispatched", "closed_in_period")


def _group_label(filters: IndicatorFilter) -> str:
    return str(dict(selectors.GROUPS)[filters.group])


def _charts(table: Table) -> tuple[dict, dict]:
    """Chart data for chart.js: the chosen rates and the flow of cases, per row (or, ungrouped, the total)."""
    rows = table.rows or [table.total]
    labels = [row.label for row in rows]
    rate_names = {code: str(label) for code, label, _num, _den in RATES}
    count_names = dict(selectors.COUNTS)
    rates = {"labels": labels, "unit": "%",
             "series": [{"name": rate_names[code], "values": [row.rates[code] for row in rows]}
                        for code in CHART_RATES]}
    counts = {"labels": labels,
              "series": [{"name": str(count_names[code]), "values": [row.counts[code] for row in rows]}
                         for code in CHART_COUNTS]}
    return rates, counts


@console_view
def page(request):
    permissions.require(request.user, Action.INDICATOR_VIEW)
    filters = IndicatorFilter.from_query(request.GET)
    table = selectors.indicators(request.user, filters)
    rates_chart, counts_chart = _charts(table)
    return TemplateResponse(request, "indicators/console/indicators.html", {
        "section": "indicators",
        "filters": filters,
        "table": table,
        "group_label": _group_label(filters),
        "rate_columns": [(code, label) for code, label, _num, _den in RATES],
        "count_columns": selectors.COUNTS,
        "hour_columns": HOURS,
        "rates_chart": rates_chart,
        "counts_chart": counts_chart,
        "chart_kind": "line" if filters.group == "period" else "bar",
        "kinds": periods.KINDS,
        "buckets": periods.BUCKETS,
        "groups": selectors.GROUPS,
        "communities": permissions.visible(request.user, Action.INDICATOR_VIEW, Community.objects.order_by("code")),
        "categories": case_selectors.category_tree(),
        "sources": Source.choices,
        "export_query": filters.query,
    })


@console_view
def export(request):
    """The same table as an Excel file."""
    permissions.require(request.user, Action.INDICATOR_VIEW)
    filters = IndicatorFilter.from_query(request.GET)
    table = selectors.indicators(request.user, filters)
    content = exports.indicator_workbook(table, group_label=_group_label(filters))
    stamp = timezone.localtime(clock.now()).strftime("%Y%m%d-%H%M")
    response = HttpResponse(content, content_type=exports.CONTENT_TYPE)
    name = f"indicators-{filters.period.kind}-{filters.period.first:%Y%m%d}-{filters.group}-{stamp}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
