"""The default service hours (Monday–Friday 08:30–12:00 and 13:30–17:30) and the statutory holidays of
this year and, once announced, the next. Running `jusha calendar_seed` later adds further years."""

from django.db import migrations
from django.utils import timezone

from jusha.calendars import statutory

PERIODS = [("08:30", "12:00"), ("13:30", "17:30")]


def seed(apps, schema_editor):
    ServiceHours = apps.get_model("calendars", "ServiceHours")
    CalendarDay = apps.get_model("calendars", "CalendarDay")
    CalendarVersion = apps.get_model("calendars", "CalendarVersion")
    if not ServiceHours.objects.exists():
        for weekday in range(5):
            for opens, closes in PERIODS:
                ServiceHours.objects.create(weekday=weekday, opens=opens, closes=closes)
    this_year = timezone.now().year
    for year in (this_year, this_year + 1):
        try:
            statutory.store(CalendarDay, CalendarVersion, year)
        except statutory.UnknownYear:
            pass  # not announced yet: `jusha calendar_seed` adds it after chinese-calendar is updated
    statutory.bump(CalendarVersion)


class Migration(migrations.Migration):
    dependencies = [("calendars", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
