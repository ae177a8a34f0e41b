from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy as _

from jusha.notifications.services import deliveries_due


class Command(BaseCommand):
    help = _("Send the notification deliveries that are due: retries, digests, messages held by quiet hours. "
             "Run it every minute (cron or a systemd timer).")

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help=_("Send at most this many deliveries."))

    def handle(self, *args, limit, **options):
        outcome = deliveries_due(limit=max(1, limit))
        self.stdout.write(" ".join(f"{key}={value}" for key, value in sorted(outcome.items())))
