from django.core.management.base import BaseCommand, CommandError

from jusha.cases.demo import CASES
from jusha.demo.seed import DemoRefused, seed_demo


class Command(BaseCommand):
    help = "Add the demo subdistrict 聚沙街道 with its places, alliance, teams and people (once)."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="Do not show a progress bar.")
        parser.add_argument("--cases", type=int, default=CASES,
                            help="How many governance cases of the last year to add (default %(default)s).")

    def handle(self, *args, no_progress, cases, **options):
        try:
            seed_demo(stdout=self.stdout, progress=not no_progress, cases=cases)
        except DemoRefused as refused:
            raise CommandError(str(refused)) from refused
