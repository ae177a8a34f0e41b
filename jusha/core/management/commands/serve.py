from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy as _


class Command(BaseCommand):
    help = _("Serve Jusha with granian (WSGI), the production server.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)
        # Django's ORM is blocking: a few threads per worker keep connections and memory bounded.
        parser.add_argument("--blocking-threads", type=int, default=4)
        parser.add_argument("--skip-collectstatic", action="store_true")

    def handle(self, *args, host, port, workers, blocking_threads, skip_collectstatic, **options):
        from granian import Granian
        from granian.constants import Interfaces

        if not skip_collectstatic and not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Jusha on http://{host}:{port}/")
        Granian(
            "jusha.wsgi:application",
            address=host,
            port=port,
            interface=Interfaces.WSGI,
            workers=workers,
            blocking_threads=blocking_threads,
        ).serve()
