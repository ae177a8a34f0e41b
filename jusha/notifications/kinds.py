"""The registry of message kinds: what each kind says, on which channels by default, and which of
its fields may leave the platform in an SMS or WeChat message.

Texts are gettext strings with %(field)s placeholders, filled from the message's stored context
inside `translation.override(language)`, so one message reads in Chinese or in English. The inbox
and e-mail carry `title` and `body`; SMS and WeChat carry `short`, which may only use `sms_fields`
(checked when the kind is registered, and the other fields are not even passed to it): a micro-wish
beneficiary's name or a resident's name never goes out by text.

A capability registers its kinds in its own module, imported from its AppConfig.ready(), and adds
them to docs/notifications.md.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, override

from .models import Channel

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


class Audience:
    RESIDENTS = "residents"
    STAFF = "staff"
    EVERYONE = "everyone"


@dataclass(frozen=True)
class Kind:
    code: str
    label: Promise
    title: Promise
    body: Promise | str
    short: Promise
    sms_fields: frozenset[str] = frozenset()
    default_channels: tuple[str, ...] = ()
    urgent: bool = False
    digestible: bool = False
    # ngettext_lazy(singular, plural, "count") with %(count)s only: this kind's line in a digest
    # (a rate-limited storm of any kind becomes a digest; `digestible` kinds may also be chosen
    # for the daily digest)
    digest_line: Promise | None = None
    audience: str = Audience.EVERYONE
    # The page the inbox links to, given the object (or None); no function: the message is all there is.
    link: Callable[[object | None], str] | None = None
    # Turns stored codes into words inside the language override (a role code into its label).
    words: Callable[[dict], dict] | None = field(default=None, repr=False)

    def render(self, context: dict, language: str) -> tuple[str, str]:
        """(title, body) for the inbox and e-mail."""
        with override(language):
            values = _Values(self._prepared(context))
            return str(self.title) % values, str(self.body) % values

    def render_short(self, context: dict, language: str) -> str:
        """The SMS / WeChat text: only `sms_fields` are available to it."""
        with override(language):
            values = _Values({k: v for k, v in self._prepared(context).items() if k in self.sms_fields})
            return str(self.short) % values

    def _prepared(self, context: dict) -> dict:
        values = dict(context or {})
        if self.words:
            values.update(self.words(values))
        return values


class _Values(dict):
    """A missing field renders as nothing rather than breaking a delivery."""

    def __missing__(self, key):
        return ""


_registry: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    if kind.code in _registry:
        raise ImproperlyConfigured(f"notification kind {kind.code!r} is registered twice")
    leaking = set(_PLACEHOLDER.findall(str(kind.short))) - set(kind.sms_fields)
    if leaking:
        raise ImproperlyConfigured(f"kind {kind.code!r}: the SMS text uses {sorted(leaking)}, "
                                   f"which are not in sms_fields")
    if kind.digest_line is not None:
        try:
            for count in (1, 2):
                kind.digest_line % {"count": count}  # noqa: B018 (formatting is the check)
        except (KeyError, TypeError, ValueError):
            raise ImproperlyConfigured(f"kind {kind.code!r}: a digest line may only use %(count)s") from None
    unknown = set(kind.default_channels) - set(Channel.values)
    if unknown:
        raise ImproperlyConfigured(f"kind {kind.code!r}: unknown channels {sorted(unknown)}")
    if kind.digestible and kind.digest_line is None:
        raise ImproperlyConfigured(f"kind {kind.code!r} is digestible but has no digest_line")
    _registry[kind.code] = kind
    return kind


def unregister(code: str) -> None:
    """For tests that register a kind of their own."""
    _registry.pop(code, None)


def get(code: str) -> Kind:
    try:
        return _registry[code]
    except KeyError:
        raise LookupError(f"no notification kind {code!r}; register it in jusha/notifications/kinds.py") from None


def exists(code: str) -> bool:
    return code in _registry


def all_kinds() -> list[Kind]:
    return sorted(_registry.values(), key=lambda k: k.code)


def label(code: str) -> str:
    kind = _registry.get(code)
    return str(kind.label) if kind else code


# --- the digest (not a kind one can notify; what a batch of held deliveries becomes) -------------
DIGEST = "notifications.digest"
DIGEST_TITLE = _("Your Jusha summary")


def digest_text(counts: dict[str, int], language: str) -> str:
    """One line per kind with how many messages it stands for; counts only, never names."""
    with override(language):
        lines = []
        for code, count in sorted(counts.items()):
            kind = _registry.get(code)
            if kind is not None and kind.digest_line is not None:
                lines.append(str(kind.digest_line % {"count": count}))
            else:
                lines.append(_("%(count)s × %(kind)s") % {"count": count, "kind": label(code)})
        return str(_("Jusha: %(lines)s. Open Jusha to read them.")) % {"lines": "; ".join(lines)}


# --- the kinds this release sends -----------------------------------------------------------------

def _console_home(obj) -> str:
    return reverse("console:home")


def _person_page(obj) -> str:
    return reverse("console:person", args=[obj.pk]) if obj is not None else ""


def _role_words(values: dict) -> dict:
    from jusha.accounts.models import Role

    role = values.get("role", "")
    # An administrator's role has no place: it covers the whole platform.
    return {"role": str(Role(role).label) if role in Role.values else role,
            "scope": values.get("scope") or str(_("Jusha"))}


register(Kind(
    code="account.role_granted",
    label=_("New role"),
    title=_("You have a new role: %(role)s"),
    body=_("You are now %(role)s of %(scope)s. The staff console is open to you."),
    short=_("Jusha: you are now %(role)s of %(scope)s."),
    sms_fields=frozenset({"role", "scope"}),
    default_channels=(Channel.SMS,),
    audience=Audience.STAFF,
    link=_console_home,
    words=_role_words,
))

register(Kind(
    code="account.resident_joined",
    label=_("New residents"),
    title=_("A resident joined %(community)s"),
    body=_("%(name)s registered as a resident of %(community)s."),
    short=_("Jusha: a new resident joined %(community)s."),
    sms_fields=frozenset({"community"}),
    default_channels=(),
    digestible=True,
    digest_line=ngettext_lazy("%(count)s new resident joined your community",
                              "%(count)s new residents joined your community", "count"),
    audience=Audience.STAFF,
    link=_person_page,
))

register(Kind(
    code="system.announcement",
    label=_("Community announcements"),
    title=_("%(community)s: %(title)s"),
    body="%(body)s",  # the staff member's own words, not translated
    short=_("Jusha · %(community)s: %(title)s. Open Jusha to read it."),
    sms_fields=frozenset({"community", "title"}),
    default_channels=(Channel.WECHAT,),
    digest_line=ngettext_lazy("%(count)s community announcement", "%(count)s community announcements", "count"),
    audience=Audience.RESIDENTS,
))

register(Kind(
    code="system.alert",
    label=_("Urgent notices"),
    title=_("Urgent · %(community)s: %(title)s"),
    body="%(body)s",
    short=_("Jusha urgent · %(community)s: %(title)s. Open Jusha to read it."),
    sms_fields=frozenset({"community", "title"}),
    default_channels=(Channel.SMS, Channel.WECHAT),
    urgent=True,
    audience=Audience.RESIDENTS,
))
