from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from jusha.cases.demo import CASES
from jusha.demo.seed import DemoRefused, seed_demo


class Command(BaseCommand):
    help = "Try Jusha on this machine: prepare the database, add the demo subdistrict once, and serve."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="Prepare and seed, then stop.")
        parser.add_argument("--no-progress", action="store_true", help="Do not show a progress bar.")
        parser.add_argument("--cases", type=int, default=CASES,
                            help="How many governance cases of the last year to add (default %(default)s).")

    def handle(self, *args, host, port, no_serve, no_progress, cases, verbosity, **options):
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1), stdout=self.stdout)
        try:
            seed_demo(stdout=self.stdout, progress=not no_progress, cases=cases)
        except DemoRefused as refused:
            self.stdout.write(self.style.WARNING(str(refused)))
        shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104 (only what is printed)
        url = f"http://{shown}:{port}/"
        self.stdout.write(_("Open %(url)s — staff log in at %(url)slogin/staff/, residents at %(url)slogin/")
                          % {"url": url})
        if not no_serve:
            call_command("serve", host=host, port=port, skip_collectstatic=True)
