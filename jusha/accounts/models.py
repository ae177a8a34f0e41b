"""People, the roles they hold (each scoped to a place or organisation), and log-in bookkeeping."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MOBILE_RE = r"^1[3-9]\d{9}$"
mobile_validator = RegexValidator(MOBILE_RE, _("Enter an 11-digit mainland China mobile number."))


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, username=None, password=None, **fields):
        user = self.model(username=username or None, **fields)
        user.set_password(password) if password else user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, username, password, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(username, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who logs in: residents by mobile + one-time code, staff by username + password."""

    username = models.CharField(_("username"), max_length=50, unique=True, null=True, blank=True)
    mobile = models.CharField(_("mobile"), max_length=11, unique=True, null=True, blank=True,
                              validators=[mobile_validator])
    name = models.CharField(_("name"), max_length=50, blank=True)
    is_staff = models.BooleanField(_("may use the Django admin"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    elderly_mode = models.BooleanField(_("elderly mode"), default=False)
    # Optional: where notifications go when the person chose e-mail for them.
    email = models.EmailField(_("e-mail"), blank=True)

    objects = UserManager()
    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(username__isnull=False) | Q(mobile__isnull=False),
                                   name="user_has_username_or_mobile"),
        ]

    def __str__(self) -> str:
        return self.name or self.username or mask_mobile(self.mobile)


def mask_mobile(mobile: str | None) -> str:
    """138****1234: how a mobile number appears in every staff list and export."""
    if not mobile:
        return ""
    if len(mobile) < 7:
        return "*" * len(mobile)
    return f"{mobile[:3]}****{mobile[-4:]}"


class Role(models.TextChoices):
    RESIDENT = "resident", _("resident")
    UNIT_LIAISON = "unit_liaison", _("unit liaison")
    COMMUNITY_STAFF = "community_staff", _("community staff")
    SUBDISTRICT_STAFF = "subdistrict_staff", _("subdistrict staff")
    COMMAND_OPERATOR = "command_operator", _("command operator")
    TEAM_MEMBER = "team_member", _("team member")
    GRID_WORKER = "grid_worker", _("grid worker")
    SUPERVISOR = "supervisor", _("supervisor")
    ADMINISTRATOR = "administrator", _("administrator")


# Which scope each role is held in. Grid workers hold their role through orgs.GridWorker's grids.
ROLE_SCOPE = {
    Role.RESIDENT: "community",
    Role.UNIT_LIAISON: "member_unit",
    Role.COMMUNITY_STAFF: "community",
    Role.SUBDISTRICT_STAFF: "subdistrict",
    Role.COMMAND_OPERATOR: "subdistrict",
    Role.TEAM_MEMBER: "team",
    Role.SUPERVISOR: "subdistrict",
    Role.ADMINISTRATOR: None,
}
SCOPE_FIELDS = ("subdistrict", "community", "member_unit", "team")


def _scope_constraint() -> Q:
    allowed = Q()
    for role, scope in ROLE_SCOPE.items():
        q = Q(role=role)
        for field in SCOPE_FIELDS:
            q &= Q(**{f"{field}__isnull": field != scope})
        allowed |= q
    return allowed


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments",
                             verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=30, choices=[c for c in Role.choices if c[0] != "grid_worker"])
    subdistrict = models.ForeignKey("places.Subdistrict", on_delete=models.CASCADE, null=True, blank=True,
                                    verbose_name=_("subdistrict"))
    community = models.ForeignKey("places.Community", on_delete=models.CASCADE, null=True, blank=True,
                                  verbose_name=_("community"))
    member_unit = models.ForeignKey("orgs.MemberUnit", on_delete=models.CASCADE, null=True, blank=True,
                                    verbose_name=_("member unit"))
    team = models.ForeignKey("orgs.Team", on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("team"))
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.CheckConstraint(condition=_scope_constraint(), name="role_assignment_scope_matches_role")]
        indexes = [models.Index(fields=["role", "community"]), models.Index(fields=["role", "subdistrict"])]

    def __str__(self) -> str:
        scope = self.subdistrict or self.community or self.member_unit or self.team
        return f"{self.get_role_display()} · {scope}" if scope else self.get_role_display()


class OneTimeCode(models.Model):
    """A 6-digit code sent to a mobile. Only its keyed hash is stored."""

    mobile = models.CharField(max_length=11, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    consumed_at = models.DateTimeField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [models.Index(fields=["ip", "created_at"])]

    def __str__(self) -> str:
        return f"{mask_mobile(self.mobile)} @ {self.created_at:%Y-%m-%d %H:%M}"


class LoginFailure(models.Model):
    """One failed log-in; enough recent ones for a key (a username or a mobile) lock it out."""

    key = models.CharField(max_length=80)
    at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["key", "at"])]

    def __str__(self) -> str:
        return f"{self.key} @ {self.at:%Y-%m-%d %H:%M}"
