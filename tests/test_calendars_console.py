"""The service calendar's console page: subdistrict staff and administrators list the year's days,
add, change and remove them with htmx, and edit the weekly hours; nobody else sees the page."""

from datetime import date, time

import pytest
from django.urls import reverse

from jusha.audit.models import AuditEntry
from jusha.calendars import services
from jusha.calendars.console import parse_periods
from jusha.calendars.models import CalendarDay, ServiceHours
from jusha.core.errors import DomainError

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def staff(client, world):
    services.calendar_seed_statutory(actor=None, year=2026)
    client.force_login(world.liuyang)
    return client


def test_the_page_lists_the_years_days_and_the_weekly_hours(staff):
    page = staff.get(reverse("calendars_console:page"), {"year": "2026"}).content.decode()
    assert 'data-date="2026-10-01" data-kind="holiday"' in page
    assert 'data-date="2026-10-10" data-kind="workday"' in page
    assert 'value="08:30-12:00, 13:30-17:30"' in page
    assert reverse("calendars_console:page") in page  # the sidebar link
    assert staff.get(reverse("calendars_console:page"), {"year": "abc"}).status_code == 200


def test_staff_add_change_and_remove_a_day_with_htmx(staff, world):
    response = staff.post(reverse("calendars_console:day_save"),
                          {"date": "2026-11-30", "kind": "holiday", "name": "街道运动会"}, **HX)
    assert response.status_code == 200 and 'id="days"' in response.content.decode()
    assert "<html" not in response.content.decode()
    assert CalendarDay.objects.get(date=date(2026, 11, 30)).name == "街道运动会"
    staff.post(reverse("calendars_console:day_save"), {"date": "2026-11-30", "kind": "workday", "name": ""}, **HX)
    assert CalendarDay.objects.get(date=date(2026, 11, 30)).kind == "workday"
    response = staff.post(reverse("calendars_console:day_remove"), {"date": "2026-11-30"})
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(date=date(2026, 11, 30)).exists()
    assert AuditEntry.objects.filter(action="calendars.day_set", actor=world.liuyang).count() == 2


def test_bad_input_is_refused_clearly_and_changes_nothing(staff):
    count = CalendarDay.objects.count()
    for data in ({"date": "2026-13-01", "kind": "holiday"}, {"date": "2026-11-30", "kind": "party"},
                 {"date": "", "kind": "holiday"}, {"date": "2026-11-30", "kind": "holiday", "name": "x" * 80}):
        response = staff.post(reverse("calendars_console:day_save"), data, **HX)
        assert response.status_code == 400 and 'data-testid="days-error"' in response.content.decode()
    assert CalendarDay.objects.count() == count
    response = staff.post(reverse("calendars_console:hours_save"), {"weekday": "0", "periods": "8:30 to noon"}, **HX)
    assert response.status_code == 400 and 'data-testid="hours-error"' in response.content.decode()
    response = staff.post(reverse("calendars_console:hours_save"), {"weekday": "9", "periods": ""}, **HX)
    assert response.status_code == 400
    assert ServiceHours.objects.filter(weekday=0).count() == 2
    assert staff.post(reverse("calendars_console:day_remove"), {"date": "nonsense"}).status_code == 404
    response = staff.post(reverse("calendars_console:seed"), {"year": "2099"}, **HX)
    assert response.status_code == 400


def test_staff_set_saturday_hours(staff):
    response = staff.post(reverse("calendars_console:hours_save"), {"weekday": "5", "periods": "09:00-12:00"}, **HX)
    assert response.status_code == 200 and 'id="hours"' in response.content.decode()
    assert list(ServiceHours.objects.filter(weekday=5).values_list("opens", "closes")) == [(time(9), time(12))]


def test_seeding_from_the_page_is_idempotent(staff):
    CalendarDay.objects.filter(date__year=2026).delete()
    staff.post(reverse("calendars_console:seed"), {"year": "2026"}, **HX)
    count = CalendarDay.objects.count()
    staff.post(reverse("calendars_console:seed"), {"year": "2026"}, **HX)
    assert count == CalendarDay.objects.count() > 20


@pytest.mark.parametrize("person", ["lina", "zhaolei", "zhengli", "wugang"])
def test_nobody_else_sees_or_changes_the_calendar(client, world, person):
    client.force_login(getattr(world, person))
    assert client.get(reverse("calendars_console:page")).status_code == 404
    assert client.post(reverse("calendars_console:day_save"), {"date": "2026-11-30", "kind": "holiday"}).status_code \
        == 404
    assert not CalendarDay.objects.filter(date=date(2026, 11, 30)).exists()
    assert reverse("calendars_console:page") not in client.get(reverse("console:home")).content.decode()


def test_the_page_needs_a_log_in(client, db):
    assert client.get(reverse("calendars_console:page")).status_code == 302


@pytest.mark.parametrize(("text", "periods"), [
    ("08:30-12:00, 13:30-17:30", [(time(8, 30), time(12)), (time(13, 30), time(17, 30))]),
    ("8:30–12:00，13:30~17:30", [(time(8, 30), time(12)), (time(13, 30), time(17, 30))]),
    ("", []),
])
def test_periods_are_read_leniently(text, periods):
    assert parse_periods(text) == periods


@pytest.mark.parametrize("text", ["8-12", "25:00-26:00", "08:30"])
def test_unreadable_periods_are_refused(text):
    with pytest.raises(DomainError):
        parse_periods(text)
