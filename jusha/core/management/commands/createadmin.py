import getpass
import os

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from jusha.accounts.models import Role, User
from jusha.accounts.services import role_grant


class Command(BaseCommand):
    help = "Create an administrator (Django admin access and the administrator role)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default=os.environ.get("JUSHA_ADMIN_USERNAME"))
        parser.add_argument("--name", default="")
        parser.add_argument("--password-from-env", action="store_true",
                            help="Read the password from JUSHA_ADMIN_PASSWORD instead of asking.")

    def handle(self, *args, username, name, password_from_env, **options):
        if not username:
            raise CommandError(_("Give --username (or set JUSHA_ADMIN_USERNAME)."))
        if User.objects.filter(username=username).exists():
            raise CommandError(_("A person with this username already exists."))
        if password_from_env:
            password = os.environ.get("JUSHA_ADMIN_PASSWORD", "")
        else:
            password = getpass.getpass(_("Password: "))
        if len(password) < 10:
            raise CommandError(_("The password must have at least 10 characters."))
        user = User.objects.create_superuser(username, password, name=name or username)
        role_grant(actor=None, user=user, role=Role.ADMINISTRATOR)
        self.stdout.write(self.style.SUCCESS(_("Administrator %(name)s created.") % {"name": username}))
