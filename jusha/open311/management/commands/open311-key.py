"""`jusha open311-key create NAME`: a key for a client app of the Open311 server, printed once.

Only the key's hash is stored; if the printed key is lost, create another and revoke the old one in the
console (/console/open311/).
"""

from django.core.management.base import BaseCommand, CommandError

from jusha.core.errors import DomainError
from jusha.open311 import services


class Command(BaseCommand):
    help = "Create an Open311 api_key for a client app and print it (only this once)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a key for the app NAME")
        create.add_argument("name", help="the client app, e.g. \"city app (iOS)\"")

    def handle(self, *args, **options):
        try:
            client, key = services.client_create(actor=None, name=options["name"])
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
        self.stderr.write(f"Created the key for {client.name} ({client.prefix}…). It is shown only this once:")
        self.stdout.write(key)
