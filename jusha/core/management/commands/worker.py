from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy as _


class Command(BaseCommand):
    help = _("Run background tasks (django-tasks-db's db_worker).")

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help=_("Exit when the queue is empty."))

    def handle(self, *args, batch, **options):
        call_command("db_worker", *(["--batch"] if batch else []))
