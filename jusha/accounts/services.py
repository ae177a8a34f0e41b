"""Every write about people: log-in codes, lock-outs, roles, preferences, revealing a number."""

import hashlib
import hmac
import logging
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from jusha import permissions
from jusha.audit.services import audit_record, snapshot
from jusha.core import clock
from jusha.core.errors import DomainError, RateLimited
from jusha.core.messaging import DeliveryFailed, TextMessage, text_sender
from jusha.notifications.services import notify
from jusha.permissions import Action

from .models import MOBILE_RE, ROLE_SCOPE, LoginFailure, OneTimeCode, Role, RoleAssignment, User

log = logging.getLogger("jusha.accounts")


def normalise_mobile(raw: str) -> str:
    mobile = re.sub(r"[\s-]", "", raw or "")
    if mobile.startswith("+86"):
        mobile = mobile[3:]
    if not re.fullmatch(MOBILE_RE, mobile):
        raise DomainError(_("Enter an 11-digit mainland China mobile number."), field="mobile")
    return mobile


def _code_hash(mobile: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{mobile}:{code}".encode(), hashlib.sha256).hexdigest()


# --- lock-out ---------------------------------------------------------------------------------------

def _lock_window() -> timedelta:
    return timedelta(minutes=settings.JUSHA_LOGIN_LOCK_MINUTES)


def login_locked(key: str) -> bool:
    since = clock.now() - _lock_window()
    return LoginFailure.objects.filter(key=key, at__gte=since).count() >= settings.JUSHA_LOGIN_MAX_FAILURES


def login_failure_record(*, key: str, ip: str | None) -> None:
    LoginFailure.objects.create(key=key, at=clock.now(), ip=ip)


def login_failures_clear(*, key: str) -> None:
    LoginFailure.objects.filter(key=key).delete()


# --- one-time codes ----------------------------------------------------------------------------------

def code_request(*, mobile: str, ip: str | None) -> None:
    """Send a fresh 6-digit code to `mobile`, within the per-number and per-IP limits.

    The number need not belong to anyone yet: a resident's first log-in creates their account.
    """
    mobile = normalise_mobile(mobile)
    now = clock.now()
    if login_locked(f"mobile:{mobile}"):
        raise RateLimited(_("Too many wrong codes for this number. Try again in %(minutes)s minutes.")
                          % {"minutes": settings.JUSHA_LOGIN_LOCK_MINUTES}, retry_after=_lock_window().seconds)
    hour_ago = now - timedelta(hours=1)
    with transaction.atomic():
        recent = OneTimeCode.objects.filter(mobile=mobile, created_at__gte=hour_ago)
        last = recent.order_by("-created_at").first()
        if last and (now - last.created_at).total_seconds() < settings.JUSHA_CODE_RESEND_SECONDS:
            wait = settings.JUSHA_CODE_RESEND_SECONDS - int((now - last.created_at).total_seconds())
            raise RateLimited(_("A code was just sent. You can ask for another in %(seconds)s seconds.")
                              % {"seconds": wait}, retry_after=wait)
        if recent.count() >= settings.JUSHA_CODE_PER_MOBILE_PER_HOUR:
            raise RateLimited(_("Too many codes for this number. Try again in an hour."), retry_after=3600)
        if ip and OneTimeCode.objects.filter(ip=ip, created_at__gte=hour_ago).count() >= (
            settings.JUSHA_CODE_PER_IP_PER_HOUR
        ):
            raise RateLimited(_("Too many codes from this network. Try again in an hour."), retry_after=3600)
        code = f"{secrets.randbelow(10**6):06d}"
        OneTimeCode.objects.create(mobile=mobile, code_hash=_code_hash(mobile, code), created_at=now,
                                   expires_at=now + timedelta(seconds=settings.JUSHA_CODE_TTL_SECONDS), ip=ip)
        minutes = settings.JUSHA_CODE_TTL_SECONDS // 60
        body = _("Your Jusha log-in code is %(code)s. It expires in %(minutes)s minutes. "
                 "Never tell anyone this code.") % {"code": code, "minutes": minutes}
        transaction.on_commit(lambda: _deliver(TextMessage(to=mobile, body=body, kind="login_code")))


def _deliver(message: TextMessage) -> None:
    try:
        text_sender().send(message)
    except DeliveryFailed:
        # The person sees no code and asks again after the resend interval; the failure is logged
        # for operators. Raising here would turn a gateway hiccup into an error page.
        log.exception("could not deliver %s to %s", message.kind, message.to[:3])


def code_login(*, mobile: str, code: str, ip: str | None) -> User:
    """Check a code and return the person it logs in, creating a resident account on first log-in."""
    mobile = normalise_mobile(mobile)
    key = f"mobile:{mobile}"
    if login_locked(key):
        raise RateLimited(_("Too many wrong codes for this number. Try again in %(minutes)s minutes.")
                          % {"minutes": settings.JUSHA_LOGIN_LOCK_MINUTES}, retry_after=_lock_window().seconds)
    code = (code or "").strip()
    now = clock.now()
    with transaction.atomic():
        otp = (OneTimeCode.objects.select_for_update()
               .filter(mobile=mobile, consumed_at=None).order_by("-created_at").first())
        if otp is None or otp.expires_at <= now:
            raise DomainError(_("The code has expired or was never sent. Ask for a new one."), field="code",
                                  code="code_expired")
        if otp.attempts >= settings.JUSHA_CODE_MAX_ATTEMPTS:
            raise DomainError(_("This code was entered wrongly too often. Ask for a new one."), field="code",
                              code="code_exhausted")
        if not hmac.compare_digest(otp.code_hash, _code_hash(mobile, code)):
            OneTimeCode.objects.filter(pk=otp.pk).update(attempts=F("attempts") + 1)
            login_failure_record(key=key, ip=ip)
            left = settings.JUSHA_CODE_MAX_ATTEMPTS - otp.attempts - 1
            failed = DomainError(_("Wrong code. %(left)s tries left.") % {"left": max(left, 0)}, field="code",
                                 code="code_wrong")
        else:
            failed = None
            claimed = OneTimeCode.objects.filter(pk=otp.pk, consumed_at=None).update(consumed_at=now)
            if not claimed:
                raise DomainError(_("The code has expired or was never sent. Ask for a new one."), field="code",
                                  code="code_expired")
            user, created = User.objects.get_or_create(mobile=mobile)
            if not user.is_active:
                raise DomainError(_("This account is disabled. Contact your community."), field="mobile")
            login_failures_clear(key=key)
            if created:
                audit_record(actor=user, action="accounts.register", target=user, after={"mobile": "masked"})
    if failed:
        # Raised after the block so the attempt counter and the failure record are committed.
        raise failed
    return user


def staff_password_failed(*, username: str, ip: str | None) -> None:
    login_failure_record(key=f"user:{username}", ip=ip)


# --- roles and preferences ------------------------------------------------------------------------

def role_grant(*, actor, user: User, role: Role, scope=None) -> RoleAssignment:
    """Give `user` a role in `scope` (a Subdistrict, Community, MemberUnit or Team, or None for admin)."""
    field = ROLE_SCOPE[Role(role)]
    if (field is None) != (scope is None):
        raise DomainError(_("This role needs a different scope."))
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user, role=role, **({field: scope} if field else {}))
        if created:
            community_id = scope.pk if field == "community" else None
            subdistrict_id = scope.pk if field == "subdistrict" else None
            audit_record(actor=actor, action="accounts.role_grant", target=user,
                         after={"role": role, "scope": str(scope) if scope else None},
                         community_id=community_id, subdistrict_id=subdistrict_id)
            # robust: a notification that cannot be written is logged, never undoes the grant.
            transaction.on_commit(lambda: _tell_about_role(actor=actor, assignment=assignment), robust=True)
    permissions.forget(user)
    return assignment


def _tell_about_role(*, actor, assignment: RoleAssignment) -> None:
    """A resident joining tells their community's staff; any other grant tells the person."""
    if assignment.role == Role.RESIDENT:
        staff = User.objects.filter(role_assignments__role=Role.COMMUNITY_STAFF,
                                    role_assignments__community=assignment.community_id).distinct()
        notify(recipients=staff, kind="account.resident_joined", obj=assignment.user,
               context={"name": str(assignment.user), "community": assignment.community.name},
               community=assignment.community, key=f"role:{assignment.pk}")
    else:
        scope = assignment.subdistrict or assignment.community or assignment.member_unit or assignment.team
        notify(recipients=[assignment.user], kind="account.role_granted", obj=assignment,
               context={"role": assignment.role, "scope": str(scope) if scope else ""}, sender=actor,
               key=f"role:{assignment.pk}")


def resident_join_community(*, actor: User, community) -> RoleAssignment:
    """A resident says which community they live in; staff of that community then serve them."""
    if actor.role_assignments.filter(role=Role.RESIDENT).exclude(community=community).exists():
        raise DomainError(_("You are already registered in another community. Ask its staff to move you."))
    return role_grant(actor=actor, user=actor, role=Role.RESIDENT, scope=community)


def person_set_elderly_mode(*, actor: User, enabled: bool) -> None:
    before = snapshot(actor, ["elderly_mode"])
    with transaction.atomic():
        User.objects.filter(pk=actor.pk).update(elderly_mode=enabled)
        actor.elderly_mode = enabled
        audit_record(actor=actor, action="accounts.elderly_mode", target=actor, before=before,
                     after={"elderly_mode": enabled})


def mobile_reveal(*, actor: User, person: User) -> str:
    """Show one person's full mobile to staff allowed to see it; the look is audited."""
    permissions.require(actor, Action.PERSON_REVEAL_MOBILE, person)
    with transaction.atomic():
        community_id = (person.role_assignments.exclude(community=None).values_list("community_id", flat=True)
                        .first())
        audit_record(actor=actor, action="accounts.mobile_reveal", target=person, community_id=community_id)
    return person.mobile or ""

