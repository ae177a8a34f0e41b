"""The case indicators on a hand-built data set (tests/indicators_helpers.py): every expected number
is worked out by hand below, from the cases described there."""

from datetime import datetime
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jusha import permissions
from jusha.cases.models import Case, CaseDeadline, CaseEvent, Report
from jusha.core.errors import DomainError, NotAllowed
from jusha.indicators import selectors
from jusha.indicators.periods import Period
from jusha.indicators.selectors import IndicatorFilter
from jusha.permissions import Action
from tests.cases_helpers import DRYING, bring_to, category
from tests.indicators_helpers import NOW, make_case, november, t

S = Case.Status


@pytest.fixture
def cases(world, clock):
    clock.current = NOW
    return november(world)


def month(first=(11, 1), **kwargs) -> IndicatorFilter:
    day = datetime(2026, *first).date()
    return IndicatorFilter.parse(period="month", day=day.isoformat(), **kwargs)


def counts(row):
    return row.counts


def percent(n, d):
    return round(100 * n / d, 2)


def hours(minutes):
    return round(minutes / 60, 2)


# --- every formula, the whole of November -----------------------------------------------------------

def test_november_counts_for_the_subdistrict(world, cases):
    total = selectors.indicators(world.zhaolei, month()).total
    assert total.counts == {
        "reported": 6,  # A B C D E G; F was reported in October
        "accepted": 7,  # A B C D E F (1 Nov 00:00 is November) and G (handled on the spot)
        "filed": 6,  # D was not filed
        "dispatched": 6,  # A B C E F (30 Nov 23:59) G
        "closed_in_period": 3,  # A B G; E closed in December
        "due_handle": 4,  # A, B's two clocks, C (extended to 22 Nov); E's and F's are due in December
        "handled_on_time": 2,  # A, B's rework; B's first was late, C is still running
        "due_close": 3,  # A B C: their first handling clock is due in November
        "closed": 2,  # A B
        "closed_on_time": 1,  # A; B was reworked
        "reworked": 1,  # B
        "extended": 1,  # C
    }


def test_november_rates_follow_the_published_formulas(world, cases):
    rates = selectors.indicators(world.zhaolei, month()).total.rates
    assert rates == {
        "filing_rate": percent(6, 7),  # 立案率 = 立案数 / 受理数 = 85.71
        "dispatch_rate": 100.0,  # 派遣率 = 派遣数 / 立案数
        "closing_rate": percent(2, 3),  # 结案率 = 结案数 / 应结案数 = 66.67
        "on_time_closing_rate": percent(1, 3),  # 按期结案率 = 按期结案数 / 应结案数
        "on_time_handling_rate": 50.0,  # 按期处置率 = 按期处置数 / 应处置数 = 2 / 4
        "rework_rate": percent(1, 3),  # 返工率 = 返工数 / 应结案数
        "extension_rate": percent(1, 3),  # 延期率 = 延期数 / 应结案数
    }
    assert rates["filing_rate"] == 85.71 and rates["closing_rate"] == 66.67


def test_november_mean_times_in_calendar_hours(world, cases):
    means = selectors.indicators(world.zhaolei, month()).total.hours
    # Accept clocks met in November: A 30 min, B 10, C 10, D 20, E 5, F 10 (from 31 Oct 23:50).
    assert means["accept_hours"] == hours((30 + 10 + 10 + 20 + 5 + 10) / 6)
    # Dispatch clocks: A 60, B 30, C 15, E 24, F from 1 Nov 00:05 to 30 Nov 23:59.
    f_dispatch = (t(11, 30, 23, 59) - t(11, 1, 0, 5)).total_seconds() / 60
    assert means["dispatch_hours"] == hours((60 + 30 + 15 + 24 + f_dispatch) / 5) == 144.41
    # Handle clocks: A 120, B 370 (late) and 120 (rework), E 810 (20:30 to 10:00 the next day).
    assert means["handle_hours"] == hours((120 + 370 + 120 + 810) / 4) == 5.92
    # Report to close, for the cases closed in November: A 6 h, B 26.5 h, G 1.5 h.
    assert means["close_hours"] == round((6 + 26.5 + 1.5) / 3, 2) == 11.33


# --- groupings ---------------------------------------------------------------------------------------

def _rows(table):
    return {row.key: row for row in table.rows}


def test_grouped_by_community(world, cases):
    table = selectors.indicators(world.zhaolei, month(group="community"))
    rows = _rows(table)
    assert [row.label for row in table.rows] == ["智格社区", "滟澜社区"]
    zhige, yanlan = rows[str(world.zhige.pk)], rows[str(world.yanlan.pk)]
    assert zhige.counts == {"reported": 4, "accepted": 5, "filed": 4, "dispatched": 4, "closed_in_period": 2,
                            "due_handle": 2, "handled_on_time": 1, "due_close": 2, "closed": 1, "closed_on_time": 1,
                            "reworked": 0, "extended": 1}
    assert zhige.rates == {"filing_rate": 80.0, "dispatch_rate": 100.0, "closing_rate": 50.0,
                           "on_time_closing_rate": 50.0, "on_time_handling_rate": 50.0, "rework_rate": 0.0,
                           "extension_rate": 50.0}
    assert yanlan.counts == {"reported": 2, "accepted": 2, "filed": 2, "dispatched": 2, "closed_in_period": 1,
                             "due_handle": 2, "handled_on_time": 1, "due_close": 1, "closed": 1,
                             "closed_on_time": 0, "reworked": 1, "extended": 0}
    assert yanlan.rates["on_time_closing_rate"] == 0.0 and yanlan.rates["rework_rate"] == 100.0
    # Each case is in one community: the groups add up to the total.
    for code in zhige.counts:
        assert zhige.counts[code] + yanlan.counts[code] == table.total.counts[code]


def test_grouped_by_grid_team_category_and_source(world, cases):
    grids = _rows(selectors.indicators(world.zhaolei, month(group="grid")))
    assert {key: row.counts["accepted"] for key, row in grids.items()} == {
        str(world.zhige1.pk): 4,  # A D F G: G's handling on the spot counts too
        str(world.zhige2.pk): 1, str(world.yanlan1.pk): 1, str(world.yanlan2.pk): 1,
    }

    teams = _rows(selectors.indicators(world.zhaolei, month(group="team")))
    assert set(teams) == {str(world.brigade.pk), ""}  # "" = not sent to a team
    assert teams[str(world.brigade.pk)].counts["due_handle"] == 2
    assert teams[""].counts["due_handle"] == 2
    assert teams[str(world.brigade.pk)].rates["on_time_handling_rate"] == 50.0

    by_category = selectors.indicators(world.zhaolei, month(group="category"))
    labels = [row.label.split()[0] for row in by_category.rows]
    assert labels == ["BJ0101", "SJ0104", "SJ0502"]
    categories = {row.label.split()[0]: row for row in by_category.rows}
    assert categories["SJ0104"].counts["filed"] == 4  # A C F G
    assert categories["BJ0101"].counts["due_close"] == 0  # E is due in December

    sources = _rows(selectors.indicators(world.zhaolei, month(group="source")))
    assert list(sources) == ["resident", "camera", "sensor", "patrol"]  # in the order of Source
    assert sources["resident"].counts["accepted"] == 3  # A D F
    assert sources["resident"].rates["filing_rate"] == percent(2, 3)
    assert sources["patrol"].counts["closed_in_period"] == 1  # G
    assert sources["sensor"].rates["closing_rate"] is None  # nothing due to close: no rate, not 0


def test_filters_narrow_the_count(world, cases):
    only_drying = selectors.indicators(world.zhaolei, month(category=category(DRYING).pk)).total
    assert only_drying.counts["accepted"] == 5
    top_class = category(DRYING).parent_id  # SJ01 市容环境: its leaves
    assert selectors.indicators(world.zhaolei, month(category=top_class)).total.counts["accepted"] == 5
    assert selectors.indicators(world.zhaolei, month(source="camera")).total.counts["due_handle"] == 2
    assert selectors.indicators(world.zhaolei, month(community=world.yanlan.pk)).total.counts["reported"] == 2


# --- time: buckets and the period's edges -------------------------------------------------------------

def test_grouped_by_day_cuts_at_local_midnight(world, cases):
    """1 Nov 00:00 and 20 Nov 07:10 in Shanghai are still 31 Oct and 19 Nov in UTC: a day is a local day."""
    table = selectors.indicators(world.zhaolei, month(group="period", bucket="day"))
    assert len(table.rows) == 30
    days = _rows(table)
    assert days["2026-11-01"].counts["accepted"] == 1  # F
    assert days["2026-11-20"].counts["accepted"] == 1  # C
    assert days["2026-11-19"].counts["accepted"] == 0
    assert days["2026-11-30"].counts["dispatched"] == 1  # F at 23:59
    assert days["2026-11-03"].rates["filing_rate"] is None
    assert days["2026-11-02"].label == "2026-11-02"


def test_grouped_by_week_and_month(world, cases):
    weeks = selectors.indicators(world.zhaolei, month(group="period", bucket="week"))
    assert [row.key for row in weeks.rows] == ["2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16",
                                               "2026-11-23", "2026-11-30"]
    assert weeks.rows[0].label == "2026-W44"
    # The week of 26 Oct holds only 1 Nov of the period: F accepted and filed, not its October report.
    assert weeks.rows[0].counts["accepted"] == 1 and weeks.rows[0].counts["reported"] == 0
    assert weeks.rows[4].counts["reported"] == 2  # D E
    assert weeks.rows[5].counts["dispatched"] == 1  # F
    # A case accepted in one week and reworked in another is one case in each step of time, and in the total.
    assert sum(row.counts["accepted"] for row in weeks.rows) == weeks.total.counts["accepted"] == 7

    year = IndicatorFilter.parse(period="year", day="2026-06-01", group="period")
    months = _rows(selectors.indicators(world.zhaolei, year))
    assert len(months) == 12 and months["2026-11-01"].label == "2026-11"
    assert months["2026-10-01"].counts["reported"] == 1  # F
    assert months["2026-12-01"].counts["closed_in_period"] == 1  # E

    quarters = selectors.indicators(world.zhaolei, IndicatorFilter.parse(period="year", day="2026-01-01",
                                                                         group="period", bucket="quarter"))
    assert [row.label for row in quarters.rows] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert quarters.rows[3].counts["reported"] == 7


def test_december_holds_what_is_due_in_it(world, cases):
    december = selectors.indicators(world.zhaolei, month((12, 1))).total
    # E due 1 Dec 10:00 (handled on time, closed 1 Dec 08:00), F due 1 Dec 00:00 sharp (still running).
    assert december.counts["due_close"] == 2 and december.counts["closed"] == 1
    assert december.counts["closed_on_time"] == 1 and december.counts["due_handle"] == 2
    assert december.rates["on_time_closing_rate"] == 50.0
    # Nothing was accepted in December: no filing rate, and no error.
    assert december.counts["accepted"] == 0 and december.rates["filing_rate"] is None
    assert december.hours["accept_hours"] is None


def test_a_clock_not_yet_due_waits_until_it_is(world, cases, clock):
    """A handling clock still running before its due time could still be met: not counted yet."""
    make_case(world, name="H", community=world.zhige, grid=world.zhige1, code=DRYING, source="resident",
          status=S.DISPATCHED, reported=t(12, 5, 9),
          steps=[("accept", t(12, 5, 9, 10)), ("file", t(12, 5, 9, 15)), ("dispatch", t(12, 5, 9, 30))],
          clocks=[("handle", t(12, 5, 9, 30), t(12, 5, 13, 30), None, False)])
    today = IndicatorFilter.parse(period="day", day="2026-12-05")
    before = selectors.indicators(world.zhaolei, today).total
    assert before.counts["due_handle"] == 0 and before.rates["closing_rate"] is None
    clock.current = t(12, 5, 14)
    after = selectors.indicators(world.zhaolei, today).total
    assert after.counts["due_handle"] == 1 and after.counts["due_close"] == 1
    assert after.rates["closing_rate"] == 0.0 and after.rates["on_time_handling_rate"] == 0.0


def test_an_empty_period_has_zeros_and_no_rates(world, cases):
    empty = selectors.indicators(world.zhaolei, IndicatorFilter.parse(period="year", day="2025-03-01")).total
    assert set(empty.counts.values()) == {0}
    assert set(empty.rates.values()) == {None} and set(empty.hours.values()) == {None}


def test_custom_range_is_whole_days(world, cases):
    two_days = IndicatorFilter.parse(period="custom", start="2026-11-10", end="2026-11-11")
    assert two_days.period.start == t(11, 10) and two_days.period.end == t(11, 12)
    total = selectors.indicators(world.zhaolei, two_days).total
    assert total.counts["due_handle"] == 2 and total.counts["handled_on_time"] == 1  # B's two clocks
    assert two_days.bucket == "day"


@pytest.mark.parametrize(("params", "code"), [
    ({"period": "fortnight"}, "invalid_period"),
    ({"period": "month", "day": "2026-13-01"}, "invalid_date"),
    ({"period": "custom", "start": "2026-11-02"}, "invalid_period"),
    ({"period": "custom", "start": "2026-11-02", "end": "2026-11-01"}, "invalid_period"),
    ({"period": "custom", "start": "2020-01-01", "end": "2026-01-01"}, "invalid_period"),
    ({"group": "planet"}, "invalid_group"),
    ({"group": "period", "bucket": "hour"}, "invalid_bucket"),
    ({"period": "custom", "start": "2025-01-01", "end": "2026-12-31", "group": "period", "bucket": "day"},
     "too_many_buckets"),
    ({"source": "pigeon"}, "invalid_source"),
])
def test_bad_parameters_are_refused_with_a_code(params, code):
    with pytest.raises(DomainError) as refused:
        IndicatorFilter.parse(**params)
    assert refused.value.code == code


def test_period_kinds_cover_their_calendar_unit():
    assert IndicatorFilter.parse(period="week", day="2026-11-27").period == Period("week", t(11, 23).date(),
                                                                                   t(11, 29).date())
    quarter = IndicatorFilter.parse(period="quarter", day="2026-11-27").period
    assert (quarter.first.isoformat(), quarter.last.isoformat(), quarter.label) == ("2026-10-01", "2026-12-31",
                                                                                    "2026-Q4")
    assert IndicatorFilter.parse(period="year", day="2026-11-27").bucket == "month"


# --- what the services write is counted the same way ----------------------------------------------------

def test_a_case_through_the_services_counts_once_at_every_stage(world, clock):
    clock.current = t(11, 24, 9)  # a Tuesday morning: every clock runs in working hours
    bring_to(world, S.CLOSED)
    total = selectors.indicators(world.zhaolei, IndicatorFilter.parse(period="day", day="2026-11-24")).total
    assert total.counts == {"reported": 1, "accepted": 1, "filed": 1, "dispatched": 1, "closed_in_period": 1,
                            "due_handle": 1, "handled_on_time": 1, "due_close": 1, "closed": 1,
                            "closed_on_time": 1, "reworked": 0, "extended": 0}
    assert total.rates["on_time_closing_rate"] == 100.0


# --- who sees which numbers -----------------------------------------------------------------------------

def test_community_staff_see_only_their_communitys_numbers(world, cases):
    # 李娜 also reported B in 滟澜: she may follow that case, but it never enters her figures.
    Report.objects.create(case=cases["B"], source="resident", reporter=world.lina, category=cases["B"].category,
                          description="B", lng=120.3, lat=30.3, created_at=t(11, 10, 10))
    everyone = _rows(selectors.indicators(world.zhaolei, month(group="community")))
    lina = selectors.indicators(world.lina, month(group="community"))
    assert [row.key for row in lina.rows] == [str(world.zhige.pk)]
    assert lina.total.counts == everyone[str(world.zhige.pk)].counts
    chenjing = selectors.indicators(world.chenjing, month())
    assert chenjing.total.counts == everyone[str(world.yanlan.pk)].counts
    # Asking for the other community gives nothing, not its numbers.
    assert selectors.indicators(world.lina, month(community=world.yanlan.pk)).total.counts["accepted"] == 0


@pytest.mark.parametrize(("who", "cases_counted"), [
    ("admin", "ABCDEFG"), ("liuyang", "ABCDEFG"), ("zhaolei", "ABCDEFG"), ("sunmin", "ABCDEFG"),
    ("lina", "ACDFG"), ("chenjing", "BE"), ("wangfang", ""), ("wugang", ""), ("zhouqiang", ""), ("zhengli", ""),
])
def test_which_cases_enter_whose_figures(world, cases, who, cases_counted):
    """Role × case: by place only. 吴刚's team has B and 周强 works 智格一, yet neither reads indicators."""
    person = getattr(world, who)
    counted = permissions.visible(person, Action.INDICATOR_VIEW, Case.objects.all())
    assert "".join(sorted(c.description for c in counted)) == cases_counted
    events = permissions.visible(person, Action.INDICATOR_VIEW, CaseEvent.objects.all())
    clocks = permissions.visible(person, Action.INDICATOR_VIEW, CaseDeadline.objects.all())
    assert {e.case.description for e in events} == {c.description for c in counted} == {
        d.case.description for d in clocks}
    assert permissions.can(person, Action.INDICATOR_VIEW) == bool(cases_counted)


@pytest.mark.parametrize(("who", "sees"), [
    ("admin", 7), ("liuyang", 7), ("zhaolei", 7), ("sunmin", 7), ("lina", 5), ("chenjing", 2),
    ("wangfang", None), ("wugang", None), ("zhouqiang", None), ("zhengli", None),
])
def test_permission_matrix(world, cases, who, sees):
    person = getattr(world, who)
    if sees is None:
        with pytest.raises(NotAllowed):
            selectors.indicators(person, month())
    else:
        assert selectors.indicators(person, month()).total.counts["accepted"] == sees


# --- the console page, the export and the API ----------------------------------------------------------

def test_console_page_renders_the_table_and_charts(client, world, cases):
    client.force_login(world.zhaolei)
    response = client.get(reverse("indicators_console:page"), {"period": "month", "date": "2026-11-01",
                                                               "group": "community"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="indicator-row"') == 2
    assert 'data-code="filing_rate">85.71%<' in html  # the total row
    assert 'data-code="closing_rate">100.00%<' in html  # 滟澜
    assert 'data-jusha-chart="bar"' in html and "indicator-rates-data" in html
    assert reverse("indicators_console:page") in html  # the nav entry


def test_console_page_shows_a_dash_for_no_rate_and_falls_back_on_bad_input(client, world, cases):
    client.force_login(world.zhaolei)
    page = client.get(reverse("indicators_console:page"), {"period": "month", "date": "2026-12-01"})
    assert 'data-code="filing_rate">—<' in page.content.decode()
    bad = client.get(reverse("indicators_console:page"), {"period": "fortnight", "group": "period"})
    assert bad.status_code == 200 and bad.context["filters"].period.kind == "month"


@pytest.mark.parametrize("who", ["wangfang", "wugang", "zhouqiang"])
def test_console_page_is_not_there_for_others(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("indicators_console:page")).status_code == 404
    assert client.get(reverse("indicators_console:export")).status_code == 404


def test_export_has_the_same_table(client, world, cases):
    client.force_login(world.lina)
    response = client.get(reverse("indicators_console:export"), {"period": "month", "date": "2026-11-01",
                                                                 "group": "source"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="indicators-month-20261101-source-')
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "2026-11"
    header, body = rows[2], rows[3:]
    table = selectors.indicators(world.lina, month(group="source"))
    assert len(body) == len(table.rows) + 1  # the groups and the total
    column = {code: header.index(str(label)) for code, label in selectors.COUNTS}
    rate = {code: header.index(str(label)) for code, label, _n, _d in selectors.RATES}
    total = body[-1]
    assert total[column["accepted"]] == 5 and total[column["due_close"]] == 2
    assert total[rate["closing_rate"]] == 0.5  # a number formatted as a percentage
    resident = body[[row.key for row in table.rows].index("resident")]
    assert resident[column["accepted"]] == 3
    assert resident[rate["rework_rate"]] == 0 and resident[rate["filing_rate"]] == pytest.approx(2 / 3, abs=1e-4)
    patrol = body[[row.key for row in table.rows].index("patrol")]
    assert patrol[rate["filing_rate"]] == 1 and patrol[rate["on_time_closing_rate"]] == 0
    sensorless = [row for row in body[:-1] if row[column["due_close"]] == 0]
    assert all(row[rate["closing_rate"]] is None for row in sensorless)  # no rate: an empty cell


def test_api_returns_the_table(client, world, cases):
    client.force_login(world.zhaolei)
    response = client.get("/api/indicators", {"period": "month", "date": "2026-11-01", "group": "community"})
    assert response.status_code == 200
    body = response.json()
    assert body["label"] == "2026-11" and body["group"] == "community" and body["bucket"] == "day"
    assert body["total"]["counts"]["accepted"] == 7
    assert body["total"]["rates"]["filing_rate"] == 85.71
    assert [row["key"] for row in body["rows"]] == [str(world.zhige.pk), str(world.yanlan.pk)]
    assert datetime.fromisoformat(body["start"]) == t(11, 1)
    december = client.get("/api/indicators", {"period": "month", "date": "2026-12-01"}).json()
    assert december["total"]["rates"]["filing_rate"] is None and december["rows"] == []


def test_api_response_codes(client, world):
    assert client.get("/api/indicators").status_code == 401
    client.force_login(world.wangfang)
    assert client.get("/api/indicators").status_code == 404
    client.force_login(world.zhaolei)
    refused = client.get("/api/indicators", {"period": "custom", "start": "2026-11-02", "end": "2026-11-01"})
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_period"
    assert refused.json()["field"] == "end"
    assert client.get("/api/indicators", {"community": "x"}).status_code == 422


def test_query_count_does_not_grow_with_the_groups(client, world, cases, django_assert_max_num_queries):
    client.force_login(world.zhaolei)
    # Four queries for the rows, four for the total, one for the groups' names, plus the session and the person.
    with django_assert_max_num_queries(16):
        client.get("/api/indicators", {"period": "year", "date": "2026-01-01", "group": "grid"})
