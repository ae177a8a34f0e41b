"""`jusha calendar_seed [YEAR ...]`: store the statutory holidays of the years (default: this year and,
once announced, the next). Safe to run again, e.g. each December after updating chinese-calendar."""

from django.core.management.base import BaseCommand, CommandError

from jusha.calendars import services
from jusha.core import clock
from jusha.core.errors import DomainError


class Command(BaseCommand):
    help = "Store the statutory holidays and make-up working days of the given years."

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int)

    def handle(self, *args, years, **options):
        this_year = clock.now().year
        explicit = bool(years)
        for year in years or [this_year, this_year + 1]:
            try:
                added, changed = services.calendar_seed_statutory(actor=None, year=year)
            except DomainError as exc:
                if explicit:
                    raise CommandError(str(exc.message)) from None
                self.stdout.write(f"{year}: not announced yet")
                continue
            self.stdout.write(f"{year}: {added} days added, {changed} changed")
