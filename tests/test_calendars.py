"""The service calendar: working days, working time across lunch, nights, weekends, holidays and
make-up Saturdays (the statutory days of 2026), its edits (audited, staff of the subdistrict only),
and the cache other processes re-check."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from jusha.audit.models import AuditEntry
from jusha.calendars import selectors, services, statutory
from jusha.calendars.models import CalendarDay, CalendarVersion, ServiceHours
from jusha.calendars.selectors import add_working_time, is_working_day, working_time_between
from jusha.core.errors import DomainError, NotAllowed

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=0, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def year_2026(db):
    """The default hours (Mon–Fri 08:30–12:00, 13:30–17:30) and the statutory days of 2026."""
    services.calendar_seed_statutory(actor=None, year=2026)
    selectors.invalidate()


def test_the_migration_seeded_the_default_weekday_hours(db):
    periods = list(ServiceHours.objects.values_list("weekday", "opens", "closes"))
    assert len(periods) == 10
    assert (0, time(8, 30), time(12, 0)) in periods and (4, time(13, 30), time(17, 30)) in periods
    assert not ServiceHours.objects.filter(weekday__in=[5, 6]).exists()


def test_statutory_days_of_2026_are_seeded_once(year_2026):
    national_day = CalendarDay.objects.get(date=date(2026, 10, 1))
    assert (national_day.kind, national_day.name, national_day.source) == ("holiday", "国庆节", "statutory")
    assert CalendarDay.objects.get(date=date(2026, 10, 10)).kind == "workday"  # a make-up Saturday
    count = CalendarDay.objects.count()
    assert services.calendar_seed_statutory(actor=None, year=2026) == (0, 0)
    assert CalendarDay.objects.count() == count


def test_seed_command_is_idempotent_and_refuses_an_unknown_year(db, capsys):
    call_command("calendar_seed", "2026")
    call_command("calendar_seed", "2026")
    assert "0 days added, 0 changed" in capsys.readouterr().out
    with pytest.raises(Exception, match="2099"):
        call_command("calendar_seed", "2099")


def test_working_days(year_2026):
    assert is_working_day(date(2026, 9, 30))  # Wednesday
    assert not is_working_day(date(2026, 10, 1))  # National Day
    assert not is_working_day(date(2026, 10, 7))
    assert is_working_day(date(2026, 10, 8))
    assert is_working_day(date(2026, 10, 10))  # make-up Saturday
    assert not is_working_day(date(2026, 10, 17))  # an ordinary Saturday


@pytest.mark.parametrize(("start", "delta", "due"), [
    (at(2026, 9, 29, 9), timedelta(minutes=10), at(2026, 9, 29, 9, 10)),  # inside the morning
    (at(2026, 9, 29, 11, 55), timedelta(minutes=10), at(2026, 9, 29, 13, 35)),  # across lunch
    (at(2026, 9, 29, 12, 30), timedelta(minutes=10), at(2026, 9, 29, 13, 40)),  # submitted at lunch
    (at(2026, 9, 29, 22), timedelta(minutes=10), at(2026, 9, 30, 8, 40)),  # at night
    (at(2026, 9, 30, 17, 25), timedelta(minutes=10), at(2026, 10, 8, 8, 35)),  # before National Day
    (at(2026, 9, 30, 17, 20), timedelta(minutes=10), at(2026, 9, 30, 17, 30)),  # ends at closing time
    (at(2026, 10, 9, 17, 25), timedelta(minutes=10), at(2026, 10, 10, 8, 35)),  # make-up Saturday
    (at(2026, 10, 16, 17, 25), timedelta(minutes=10), at(2026, 10, 19, 8, 35)),  # ordinary weekend
    (at(2026, 9, 29, 8, 30), timedelta(hours=24), at(2026, 10, 9, 10, 0)),  # 3 days of 7.5 h, then 1.5 h
])
def test_add_working_time(year_2026, start, delta, due):
    assert add_working_time(start, delta) == due
    assert working_time_between(start, due) == delta


def test_working_time_accepts_any_timezone_and_answers_in_shanghai_time(year_2026):
    utc_start = datetime(2026, 9, 30, 9, 25, tzinfo=UTC)  # 17:25 in Shanghai
    due = add_working_time(utc_start, timedelta(minutes=10))
    assert due == at(2026, 10, 8, 8, 35) and due.utcoffset() == timedelta(hours=8)
    with pytest.raises(ValueError, match="aware"):
        add_working_time(datetime(2026, 9, 30, 9, 25), timedelta(minutes=10))


def test_working_time_between_counts_only_service_hours(year_2026):
    assert working_time_between(at(2026, 9, 30, 17), at(2026, 10, 8, 9)) == timedelta(minutes=60)
    assert working_time_between(at(2026, 10, 2), at(2026, 10, 5)) == timedelta(0)
    assert working_time_between(at(2026, 9, 30, 12), at(2026, 9, 29)) == timedelta(0)


moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 20)).map(
    lambda d: d.replace(tzinfo=SH))
spans = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=80)).map(
    lambda d: timedelta(seconds=int(d.total_seconds())))


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=moments, delta=spans)
def test_adding_and_measuring_working_time_agree(year_2026, start, delta):
    end = add_working_time(start, delta)
    assert end >= start
    assert working_time_between(start, end) == delta
    if delta:
        assert is_working_day(end.astimezone(SH).date())


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=moments, a=spans, b=spans)
def test_working_time_adds_up(year_2026, start, a, b):
    assert add_working_time(add_working_time(start, a), b) == add_working_time(start, a + b)
    middle = start + a
    end = middle + b
    assert working_time_between(start, end) == working_time_between(start, middle) + working_time_between(middle, end)


def test_staff_of_the_subdistrict_edit_the_calendar_and_every_change_is_audited(year_2026, world):
    services.calendar_day_set(actor=world.liuyang, day=date(2026, 10, 19), kind="holiday", name="街道运动会")
    assert not is_working_day(date(2026, 10, 19))
    assert add_working_time(at(2026, 10, 16, 17, 25), timedelta(minutes=10)) == at(2026, 10, 20, 8, 35)
    services.calendar_day_remove(actor=world.liuyang, day=date(2026, 10, 19))
    assert is_working_day(date(2026, 10, 19))
    services.service_hours_set(actor=world.admin, weekday=5, periods=[(time(9), time(12))])
    assert add_working_time(at(2026, 10, 16, 17, 25), timedelta(minutes=10)) == at(2026, 10, 17, 9, 5)
    actions = list(AuditEntry.objects.filter(action__startswith="calendars.").values_list("action", flat=True))
    assert actions.count("calendars.day_set") == 1 and "calendars.day_remove" in actions
    assert "calendars.hours_set" in actions


@pytest.mark.parametrize("person", ["lina", "wangfang", "zhaolei", "zhengli"])
def test_nobody_else_may_edit_the_calendar(year_2026, world, person):
    with pytest.raises(NotAllowed):
        services.calendar_day_set(actor=getattr(world, person), day=date(2026, 10, 19), kind="holiday")
    with pytest.raises(NotAllowed):
        services.service_hours_set(actor=getattr(world, person), weekday=5, periods=[])


def test_bad_calendar_edits_are_refused_and_change_nothing(year_2026, world):
    version = CalendarVersion.objects.get().token
    for periods, code in [([(time(12), time(9))], "invalid_period"),
                          ([(time(8), time(12)), (time(11), time(14))], "overlapping_periods")]:
        with pytest.raises(DomainError) as refused:
            services.service_hours_set(actor=world.liuyang, weekday=0, periods=periods)
        assert refused.value.code == code
    with pytest.raises(DomainError) as refused:
        services.calendar_day_set(actor=world.liuyang, day=date(2026, 10, 19), kind="party")
    assert refused.value.code == "invalid_choice"
    with pytest.raises(DomainError) as refused:
        services.calendar_day_set(actor=world.liuyang, day=date(2026, 10, 19), kind="holiday", name="x" * 51)
    assert refused.value.code == "too_long"
    for weekday in range(4):
        services.service_hours_set(actor=world.liuyang, weekday=weekday, periods=[])
    with pytest.raises(DomainError) as refused:
        services.service_hours_set(actor=world.liuyang, weekday=4, periods=[])
    assert refused.value.code == "no_service_hours"
    assert ServiceHours.objects.filter(weekday=4).count() == 2
    assert CalendarVersion.objects.get().token != version  # the four accepted changes


def test_a_local_entry_survives_reseeding(year_2026, world):
    services.calendar_day_set(actor=world.liuyang, day=date(2026, 10, 10), kind="holiday", name="不调休")
    CalendarDay.objects.filter(date=date(2026, 10, 1)).delete()
    assert services.calendar_seed_statutory(actor=world.liuyang, year=2026) == (1, 0)
    assert CalendarDay.objects.get(date=date(2026, 10, 10)).kind == "holiday"


def test_another_process_sees_a_change_after_the_recheck_interval(year_2026, settings):
    settings.JUSHA_CALENDAR_RECHECK_SECONDS = 3600
    assert is_working_day(date(2026, 10, 19))
    # Another process changes the calendar: this process keeps its copy until the re-check …
    CalendarDay.objects.create(date=date(2026, 10, 19), kind="holiday", name="x")
    statutory.bump(CalendarVersion)
    assert is_working_day(date(2026, 10, 19))
    settings.JUSHA_CALENDAR_RECHECK_SECONDS = 0
    # … then one query on the version row shows the change.
    assert not is_working_day(date(2026, 10, 19))


def test_an_empty_table_falls_back_to_the_default_hours(db):
    ServiceHours.objects.all().delete()
    statutory.bump(CalendarVersion)
    assert add_working_time(at(2026, 11, 23, 17, 25), timedelta(minutes=10)) == at(2026, 11, 24, 8, 35)


def test_the_statutory_days_come_from_chinese_calendar():
    days = {d: (kind, name) for d, kind, name in statutory.statutory_days(2026)}
    assert days[date(2026, 10, 1)] == ("holiday", "国庆节")
    assert days[date(2026, 10, 10)] == ("workday", "国庆节")
    with pytest.raises(statutory.UnknownYear):
        statutory.statutory_days(2099)


def test_editing_an_empty_table_starts_from_the_default_hours(db, world):
    ServiceHours.objects.all().delete()
    services.service_hours_set(actor=world.liuyang, weekday=5, periods=[(time(9), time(12))])
    assert ServiceHours.objects.filter(weekday__lt=5).count() == 10
    assert ServiceHours.objects.filter(weekday=5).count() == 1
