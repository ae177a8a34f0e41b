"""The case indicators (立案率, 派遣率, 结案率, 按期结案率, 按期处置率, 返工率, 延期率 and the mean times) for
one period, whole or grouped by community, grid, team, category, source or a step of time.

Every figure is counted in the database (GROUP BY with conditional aggregates), in four queries per table
and four more for its total row, whatever the number of cases: the counts come from the cases' timelines
(`CaseEvent`) and stage clocks (`CaseDeadline`), indexed on (step, at), (stage, due_at) and (stage,
ended_at). What each count means, with its source and a worked example, is in docs/indicators.md; the
tests (tests/test_indicators.py) check every formula against numbers worked out by hand.

Only the cases of the places the person may read indicators for are counted (`Action.INDICATOR_VIEW`:
their subdistrict, or their community for community staff).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import (
    Avg,
    BooleanField,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
)
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jusha import permissions
from jusha.cases.models import Case, CaseCategory, CaseDeadline, CaseEvent, Source
from jusha.cases.workflow import Step
from jusha.core import clock
from jusha.core.errors import DomainError
from jusha.orgs.models import Team
from jusha.permissions import Action
from jusha.places.models import Community, Grid

from . import periods
from .periods import Period

HANDLE = CaseDeadline.Stage.HANDLE

# (code, label): the counts, in the order tables show them.
COUNTS = (
    ("reported", gettext_lazy("Reported")),
    ("accepted", gettext_lazy("Accepted")),
    ("filed", gettext_lazy("Filed")),
    ("dispatched", gettext_lazy("Dispatched")),
    ("closed_in_period", gettext_lazy("Closed in the period")),
    ("due_handle", gettext_lazy("Due to be handled")),
    ("handled_on_time", gettext_lazy("Handled on time")),
    ("due_close", gettext_lazy("Due to be closed")),
    ("closed", gettext_lazy("Closed")),
    ("closed_on_time", gettext_lazy("Closed on time")),
    ("reworked", gettext_lazy("Reworked")),
    ("extended", gettext_lazy("Extended")),
)
# (code, label, numerator, denominator): the published formulas (docs/indicators.md), in percent.
RATES = (
    ("filing_rate", gettext_lazy("Filing rate"), "filed", "accepted"),
    ("dispatch_rate", gettext_lazy("Dispatch rate"), "dispatched", "filed"),
    ("closing_rate", gettext_lazy("Closing rate"), "closed", "due_close"),
    ("on_time_closing_rate", gettext_lazy("On-time closing rate"), "closed_on_time", "due_close"),
    ("on_time_handling_rate", gettext_lazy("On-time handling rate"), "handled_on_time", "due_handle"),
    ("rework_rate", gettext_lazy("Rework rate"), "reworked", "due_close"),
    ("extension_rate", gettext_lazy("Extension rate"), "extended", "due_close"),
)
# (code, label): mean times in calendar hours.
HOURS = (
    ("accept_hours", gettext_lazy("Mean hours to accept")),
    ("dispatch_hours", gettext_lazy("Mean hours to dispatch")),
    ("handle_hours", gettext_lazy("Mean hours to handle")),
    ("close_hours", gettext_lazy("Mean hours to close")),
)
GROUPS = (
    ("total", gettext_lazy("no grouping")),
    ("period", gettext_lazy("time")),
    ("community", gettext_lazy("community")),
    ("grid", gettext_lazy("grid")),
    ("team", gettext_lazy("team")),
    ("category", gettext_lazy("category")),
    ("source", gettext_lazy("source")),
)
GROUP_CODES = tuple(code for code, _label in GROUPS)


@dataclass(frozen=True)
class IndicatorFilter:
    """What to count: the period, how to group it, and which cases (all the person may see, or one
    community, category (a leaf or a top class) or source)."""

    period: Period
    group: str = "total"
    bucket: str = "day"
    community: int | None = None
    category: int | None = None
    source: str = ""

    @classmethod
    def parse(cls, *, period: str = "month", day: str = "", start: str = "", end: str = "", group: str = "total",
              bucket: str = "", community: int | None = None, category: int | None = None,
              source: str = "") -> "IndicatorFilter":
        """From request parameters; a bad value is a DomainError naming its field (the API's 400)."""
        span = periods.parse(period, day, start, end)
        if group not in GROUP_CODES:
            raise DomainError(_("Choose how to group the figures."), code="invalid_group", field="group")
        bucket = bucket or span.default_bucket
        periods.check_buckets(span, bucket)
        if source and source not in Source.values:
            raise DomainError(_("Unknown source."), code="invalid_source", field="source")
        return cls(period=span, group=group, bucket=bucket, community=community, category=category, source=source)

    @classmethod
    def from_query(cls, query) -> "IndicatorFilter":
        """For the console: a bad value falls back to the default instead of failing the page."""
        def number(name):
            raw = query.get(name, "")
            return int(raw) if raw.isdigit() and len(raw) < 12 else None

        try:
            return cls.parse(period=query.get("period", "month"), day=query.get("date", ""),
                             start=query.get("start", ""), end=query.get("end", ""), group=query.get("group", "total"),
                             bucket=query.get("bucket", ""), community=number("community"),
                             category=number("category"), source=query.get("source", ""))
        except DomainError:
            return cls(period=periods.period_of("month", periods.today()))

    @property
    def query(self) -> dict[str, str]:
        """The query parameters that give this filter back (for the export link)."""
        query = {**self.period.query, "group": self.group, "bucket": self.bucket}
        for name in ("community", "category", "source"):
            if getattr(self, name):
                query[name] = str(getattr(self, name))
        return query


@dataclass
class Row:
    """One line of the table: a group (or the total) with its counts, rates (percent, None when the
    denominator is zero) and mean hours (None when nothing was timed)."""

    key: str
    label: str
    counts: dict[str, int] = field(default_factory=dict)
    rates: dict[str, float | None] = field(default_factory=dict)
    hours: dict[str, float | None] = field(default_factory=dict)


@dataclass
class Table:
    filters: IndicatorFilter
    rows: list[Row]
    total: Row
    as_of: datetime


def _scoped(user, model, filters: IndicatorFilter, prefix: str = "case__"):
    qs = permissions.visible(user, Action.INDICATOR_VIEW, model.objects.all())
    if model is Case:
        prefix = ""
    if filters.community:
        qs = qs.filter(**{f"{prefix}community": filters.community})
    if filters.category:
        qs = qs.filter(Q(**{f"{prefix}category": filters.category}) | Q(**{f"{prefix}category__parent":
                                                                          filters.category}))
    if filters.source:
        qs = qs.filter(**{f"{prefix}source": filters.source})
    return qs.order_by()  # no default ordering: it would join the GROUP BY


def _group_key(filters: IndicatorFilter, anchor: str, prefix: str):
    if filters.group == "period":
        return Trunc(anchor, filters.bucket, output_field=DateTimeField(), tzinfo=timezone.get_current_timezone())
    return F(prefix + filters.group)


def _key(group):
    return timezone.localtime(group).date() if isinstance(group, datetime) else group


def _grouped(qs, filters: IndicatorFilter, anchor: str, prefix: str, aggregates: dict) -> dict:
    """{group key: {aggregate: value}}, counted in one query; the key None is the whole period."""
    if filters.group == "total":
        return {None: qs.aggregate(**aggregates)}
    result = {}
    for row in qs.annotate(g=_group_key(filters, anchor, prefix)).values("g").annotate(**aggregates):
        result[_key(row.pop("g"))] = row
    return result


def _hours(value) -> float | None:
    if value is None:
        return None
    seconds = value.total_seconds() if isinstance(value, timedelta) else value / 1_000_000
    return round(seconds / 3600, 2)


def _duration(end: str, start: str):
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def _counted(user, filters: IndicatorFilter) -> dict:
    """{group key: {count or mean: value}} from the four queries, each grouped in the database."""
    start, end = filters.period.start, filters.period.end
    now = clock.now()
    merged: dict = {}

    def add(found: dict):
        for key, values in found.items():
            merged.setdefault(key, {}).update(values)

    # 1. Cases opened by a report in the period.
    add(_grouped(_scoped(user, Case, filters).filter(reported_at__gte=start, reported_at__lt=end),
                 filters, "reported_at", "", {"reported": Count("pk")}))

    # 2. Steps taken in the period, each case once per step (handled on the spot counts as all four).
    steps = (Step.ACCEPT, Step.FILE, Step.DISPATCH, Step.SELF_HANDLE, Step.CLOSE)
    events = _scoped(user, CaseEvent, filters).filter(step__in=steps, at__gte=start, at__lt=end)
    add(_grouped(events, filters, "at", "case__", {
        "accepted": Count("case", distinct=True, filter=Q(step__in=(Step.ACCEPT, Step.SELF_HANDLE))),
        "filed": Count("case", distinct=True, filter=Q(step__in=(Step.FILE, Step.SELF_HANDLE))),
        "dispatched": Count("case", distinct=True, filter=Q(step__in=(Step.DISPATCH, Step.SELF_HANDLE))),
        "closed_in_period": Count("case", distinct=True, filter=Q(step=Step.CLOSE)),
        "close_time": Avg(_duration("at", "case__reported_at"), filter=Q(step=Step.CLOSE)),
    }))

    # 3. Stage clocks met in the period: how long accepting, dispatching and handling took.
    ended = _scoped(user, CaseDeadline, filters).filter(
        stage__in=(CaseDeadline.Stage.ACCEPT, CaseDeadline.Stage.DISPATCH, HANDLE), met=True,
        ended_at__gte=start, ended_at__lt=end)
    add(_grouped(ended, filters, "ended_at", "case__", {
        f"{stage}_time": Avg(_duration("ended_at", "started_at"), filter=Q(stage=stage))
        for stage in ("accept", "dispatch", "handle")}))

    # 4. Handling clocks due in the period (应处置); a case's first one sets when it is due to close (应结案).
    # Each clock's facts are worked out once (every EXISTS once per row) and the clocks counted per
    # combination of facts; the few dozen combinations are then added up by the definitions in _tally.
    def case_has(*steps_):
        # Closing, rework and extensions all come after the handling clock started; saying so keeps each
        # check a probe of one case's events, where a bare `at < end` let PostgreSQL hash every such
        # event of all time.
        return Exists(CaseEvent.objects.filter(case=OuterRef("case"), step__in=steps_,
                                               at__gte=OuterRef("started_at"), at__lt=end))

    facts = {
        "first": ~Exists(CaseDeadline.objects.filter(case=OuterRef("case"), stage=HANDLE,
                                                     started_at__lt=OuterRef("started_at"))),
        "closed": case_has(Step.CLOSE),
        "reworked": case_has(Step.REWORK, Step.SPOT_CHECK_FAIL),
        "extended": case_has(Step.EXTENSION_APPROVE),
        "due_now": ExpressionWrapper(Q(due_at__lte=now), output_field=BooleanField()),
        "in_time": ExpressionWrapper(Q(met=True, ended_at__lte=F("due_at")), output_field=BooleanField()),
    }
    due = _scoped(user, CaseDeadline, filters).filter(stage=HANDLE, due_at__gte=start, due_at__lt=end).annotate(
        **{f"is_{name}": fact for name, fact in facts.items()})
    columns = ["met", *(f"is_{name}" for name in facts)]
    if filters.group != "total":
        due = due.annotate(g=_group_key(filters, "due_at", "case__"))
        columns.insert(0, "g")
    for row in due.values(*columns).annotate(n=Count("pk")):
        _tally(merged.setdefault(_key(row.get("g")), {}), row)
    return merged


def _tally(counts: dict, row: dict) -> None:
    """Add `row["n"]` handling clocks sharing one combination of facts to the counts they belong to."""
    n, first, closed = row["n"], row["is_first"], row["is_closed"]
    # A clock not yet due and not yet met could still be met: it is counted once it is due or done.
    due_handle = row["is_due_now"] or row["met"]
    due_close = first and (row["is_due_now"] or closed)
    for code, belongs in (
        ("due_handle", due_handle),
        ("handled_on_time", row["is_in_time"]),
        ("due_close", due_close),
        ("closed", first and closed),
        ("closed_on_time", first and closed and row["is_in_time"] and not row["is_reworked"]),
        ("reworked", due_close and row["is_reworked"]),
        ("extended", due_close and row["is_extended"]),
    ):
        counts[code] = counts.get(code, 0) + (n if belongs else 0)


def _percent(numerator: int, denominator: int) -> float | None:
    return round(100 * numerator / denominator, 2) if denominator else None


def _row(key: str, label: str, values: dict) -> Row:
    counts = {code: values.get(code) or 0 for code, _label in COUNTS}
    return Row(
        key=key, label=label, counts=counts,
        rates={code: _percent(counts[num], counts[den]) for code, _label, num, den in RATES},
        hours={code: _hours(values.get(code.replace("_hours", "_time"))) for code, _label in HOURS},
    )


def _labels(group: str, keys: list) -> list[tuple]:
    """(key, label) for each group that has figures, in the order the table lists them."""
    ids = [k for k in keys if k is not None]
    if group == "source":
        found = [(code, str(label)) for code, label in Source.choices if code in keys]
    elif group == "category":
        found = [(c.pk, f"{c.code} {c.label}") for c in CaseCategory.objects.filter(pk__in=ids).order_by("code")]
    else:
        model = {"community": Community, "grid": Grid, "team": Team}[group]
        order = "name" if model is Team else "code"
        found = list(model.objects.filter(pk__in=ids).order_by(order).values_list("pk", "name"))
    if None in keys:
        found.append((None, _("none")))
    return found


def indicators(user, filters: IndicatorFilter) -> Table:
    """The indicator table for `filters`, counted over the cases the person may read indicators of.

    Rows: one per step of time (every step of the period, empty ones too) when grouped by time, else
    one per group with figures; the total row is counted separately, so a case counted in two steps
    of time is still one case in the total."""
    permissions.require(user, Action.INDICATOR_VIEW)
    total_filters = IndicatorFilter(period=filters.period, community=filters.community, category=filters.category,
                                    source=filters.source)
    total = _row("", _("Total"), _counted(user, total_filters).get(None, {}))
    if filters.group == "total":
        return Table(filters=filters, rows=[], total=total, as_of=clock.now())
    found = _counted(user, filters)
    if filters.group == "period":
        days: list[date] = periods.buckets(filters.period, filters.bucket)
        rows = [_row(day.isoformat(), periods.bucket_label(day, filters.bucket), found.get(day, {})) for day in days]
    else:
        rows = [_row("" if key is None else str(key), label, found[key])
                for key, label in _labels(filters.group, list(found))]
    return Table(filters=filters, rows=rows, total=total, as_of=clock.now())
