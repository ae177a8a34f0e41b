from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy as _

from jusha.core import periodic


class Command(BaseCommand):
    help = _("Run background tasks (django-tasks-db's db_worker) and Jusha's periodic jobs.")

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help=_("Exit when the queue is empty."))
        parser.add_argument("--no-periodic", action="store_true",
                            help=_("Do not run the periodic jobs (when another worker runs them)."))

    def handle(self, *args, batch, no_periodic, **options):
        if batch:
            periodic.run_due_jobs({}, 0.0)
        elif not no_periodic:
            periodic.start_in_background()
        call_command("db_worker", *(["--batch"] if batch else []))
