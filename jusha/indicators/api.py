"""The case indicators as JSON, for the command screen and other systems: the same table as the console
page (jusha/indicators/selectors.py), counted over the places the person may read indicators of.

Responses: 200 the table; 400 a bad period, range, step, group or source (`code` says which, `field`
names the parameter); 401 not logged in; 404 the person may not read indicators (as if there were none);
422 a parameter of the wrong type.
"""

from datetime import datetime

from ninja import Field, Query, Router, Schema
from ninja.security import django_auth

from jusha.cases.models import Source
from jusha.core.schemas import ErrorOut, ValidationErrorOut

from . import periods, selectors
from .selectors import Row

router = Router(tags=["indicators"])


class IndicatorQuery(Schema):
    period: str = Field("month", description="day, week, month, quarter, year or custom")
    date: str = Field("", description="YYYY-MM-DD, a day in the period (default today); not for custom")
    start: str = Field("", description="custom: the first day, YYYY-MM-DD")
    end: str = Field("", description="custom: the last day (included), YYYY-MM-DD; at most three years")
    group: str = Field("total", description="total, period (steps of time), community, grid, team, category or "
                                            "source")
    bucket: str = Field("", description="with group=period: day, week, month, quarter or year (default by period)")
    community: int | None = Field(None, ge=1, le=2**62, description="only this community's cases")
    category: int | None = Field(None, ge=1, le=2**62, description="only this category (a leaf, or a top class "
                                                                  "with its leaves)")
    source: str = Field("", description=f"only this source: {', '.join(Source.values)}")


class IndicatorCountsOut(Schema):
    reported: int = Field(description="cases opened by a report in the period")
    accepted: int = Field(description="受理数: cases accepted (or handled on the spot) in the period")
    filed: int = Field(description="立案数: cases filed (or handled on the spot) in the period")
    dispatched: int = Field(description="派遣数: cases dispatched (or handled on the spot) in the period")
    closed_in_period: int = Field(description="cases closed in the period, whenever they were due")
    due_handle: int = Field(description="应处置数: handling clocks due in the period (and due or met by now)")
    handled_on_time: int = Field(description="按期处置数: of those, handled by their due time")
    due_close: int = Field(description="应结案数: cases whose first handling deadline falls in the period")
    closed: int = Field(description="结案数: of those, closed by the end of the period")
    closed_on_time: int = Field(description="按期结案数: of those, closed, first handled in time, never reworked")
    reworked: int = Field(description="返工数: of 应结案, cases sent back for rework")
    extended: int = Field(description="延期数: of 应结案, cases granted an extension")


class IndicatorRatesOut(Schema):
    filing_rate: float | None = Field(description="立案率 = filed / accepted, percent; null when nothing accepted")
    dispatch_rate: float | None = Field(description="派遣率 = dispatched / filed, percent")
    closing_rate: float | None = Field(description="结案率 = closed / due_close, percent")
    on_time_closing_rate: float | None = Field(description="按期结案率 = closed_on_time / due_close, percent")
    on_time_handling_rate: float | None = Field(description="按期处置率 = handled_on_time / due_handle, percent")
    rework_rate: float | None = Field(description="返工率 = reworked / due_close, percent")
    extension_rate: float | None = Field(description="延期率 = extended / due_close, percent")


class IndicatorHoursOut(Schema):
    accept_hours: float | None = Field(description="mean calendar hours from report to accept")
    dispatch_hours: float | None = Field(description="mean calendar hours from filing to dispatch")
    handle_hours: float | None = Field(description="mean calendar hours from dispatch (or rework) to handled")
    close_hours: float | None = Field(description="mean calendar hours from report to close")


class IndicatorRowOut(Schema):
    key: str = Field(description="the group: an id, a source code, the first day of a step of time; "
                                 "empty for the total or for cases without a grid or team")
    label: str
    counts: IndicatorCountsOut
    rates: IndicatorRatesOut
    hours: IndicatorHoursOut


class IndicatorTableOut(Schema):
    period: str = Field(description="day, week, month, quarter, year or custom")
    start: datetime = Field(description="the period's first moment (local midnight)")
    end: datetime = Field(description="the moment after the period")
    label: str
    group: str
    bucket: str
    as_of: datetime = Field(description="when the figures were counted")
    rows: list[IndicatorRowOut]
    total: IndicatorRowOut


def _row(row: Row) -> dict:
    return {"key": row.key, "label": row.label, "counts": row.counts, "rates": row.rates, "hours": row.hours}


@router.get("", auth=django_auth,
            response={200: IndicatorTableOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut})
def table(request, params: Query[IndicatorQuery]):
    """The indicator table of one period, whole or grouped (docs/indicators.md defines every figure)."""
    filters = selectors.IndicatorFilter.parse(
        period=params.period, day=params.date, start=params.start, end=params.end, group=params.group,
        bucket=params.bucket, community=params.community, category=params.category, source=params.source)
    result = selectors.indicators(request.user, filters)
    span: periods.Period = filters.period
    return {"period": span.kind, "start": span.start, "end": span.end, "label": span.label, "group": filters.group,
            "bucket": filters.bucket, "as_of": result.as_of, "rows": [_row(r) for r in result.rows],
            "total": _row(result.total)}
