"""Notifications: one inbox per person, one delivery mechanism for every capability.

Who sees what, in the test world (tests/conftest.py):
- everyone reads only their own inbox; 管理员 (administrator) sees everything else but not 王芳's messages;
- 李娜 (community staff of 智格) announces to 智格社区 and follows those deliveries, not 滟澜's;
- 刘洋 (subdistrict staff) announces to and follows both communities; command operators, supervisors,
  grid workers, team members, unit liaisons and residents announce nowhere.

Time is a MovableClock set to 2026-05-06 (a Wednesday) in Asia/Shanghai; deliveries_due() is the sweeper
the worker or cron runs every minute, called here after moving the clock (the test task backend runs
tasks at once and cannot defer them).
"""

import hashlib
import hmac
import json
import threading
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from jusha import permissions
from jusha.accounts.models import Role, User
from jusha.accounts.services import resident_join_community, role_grant
from jusha.audit.models import AuditEntry
from jusha.core.errors import DomainError, NotAllowed
from jusha.notifications import kinds, services, tasks
from jusha.notifications.kinds import Kind
from jusha.notifications.models import Announcement, Channel, Delivery, DeliveryAttempt, Message, Preference
from jusha.notifications.services import notify, quiet_until
from jusha.permissions import Action
from jusha.places.models import Community
from tests.conftest import PASSWORD

pytest_plugins = ["tests.gateway"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parents[1]
PEOPLE = ["anonymous", "wangfang", "zhangwei", "lina", "chenjing", "liuyang", "zhaolei", "sunmin", "wugang",
          "zhengli", "zhouqiang", "admin"]
Status = Delivery.Status


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def email_on(settings):
    """Production leaves e-mail off until a mail server is configured; the tests use Django's outbox."""
    settings.JUSHA_EMAIL = "console"


@pytest.fixture
def now(clock):
    """The clock at 10:00 on a Wednesday; set clock.current to move it."""
    clock.current = local("2026-05-06 10:00")
    return clock


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what services hand to transaction.on_commit (the test database never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def who(world, name):
    return AnonymousUser() if name == "anonymous" else getattr(world, name)


def login(client, username):
    assert client.post("/login/staff/", {"username": username, "password": PASSWORD}).status_code == 302


def resident_login(client, user):
    client.force_login(user, backend="jusha.accounts.backends.MobileCodeBackend")


def announce(world, commit, *, actor=None, community=None, title="停水通知", body="5月7日9:00至12:00停水。",
             urgent=False) -> Announcement:
    with commit():
        return services.announcement_send(actor=actor or world.lina, community=community or world.zhige, title=title,
                                          body=body, urgent=urgent)


def prefer(user, kind, *channels, digest=False):
    services.preference_set(actor=user, kind=kind, channels=list(channels), digest=digest)


def texts_to(sent_texts, mobile):
    return [m for m in sent_texts if m.to == mobile]


# --- the kinds: texts in both languages, and what may go out by SMS -----------------------------

def test_role_granted_message_reads_in_chinese_and_in_english():
    spec = kinds.get("account.role_granted")
    zh_title, zh_body = spec.render({"role": "administrator", "scope": ""}, "zh-hans")
    en_title, en_body = spec.render({"role": "administrator", "scope": ""}, "en")
    assert "管理员" in zh_title and "聚沙" in zh_body
    assert en_title == "You have a new role: administrator"
    assert en_body == "You are now administrator of Jusha. The staff console is open to you."
    assert spec.render_short({"role": "community_staff", "scope": "智格社区"}, "en") == (
        "Jusha: you are now community staff of 智格社区.")


def test_a_missing_context_field_renders_empty_rather_than_failing():
    assert kinds.get("system.announcement").render({}, "en") == (": ", "")


def test_sms_text_carries_only_the_kinds_sms_fields():
    spec = kinds.get("account.resident_joined")
    context = {"name": "王芳", "community": "智格社区"}
    assert "王芳" in spec.render(context, "zh-hans")[1]
    assert "王芳" not in spec.render_short(context, "zh-hans")
    assert "智格社区" in spec.render_short(context, "zh-hans")


def test_a_kind_whose_sms_text_uses_a_private_field_cannot_be_registered():
    with pytest.raises(ImproperlyConfigured, match="beneficiary"):
        kinds.register(Kind(code="test.leaky", label=_("leaky"), title=_("t"), body=_("b"),
                            short="%(beneficiary)s got a gift", sms_fields=frozenset({"wish"})))
    assert not kinds.exists("test.leaky")


@pytest.fixture
def micro_wish_kind():
    spec = kinds.register(Kind(
        code="test.wish_claimed", label="Micro-wish claimed", title="Your micro-wish was claimed",
        body="%(unit)s claimed the wish of %(beneficiary)s: %(wish)s", short="Jusha: %(unit)s claimed a micro-wish.",
        sms_fields=frozenset({"unit"}), default_channels=(Channel.SMS, Channel.WECHAT, Channel.EMAIL)))
    yield spec
    kinds.unregister(spec.code)


def test_a_micro_wish_beneficiarys_name_never_leaves_by_text(world, now, commit, sent_texts, micro_wish_kind,
                                                             settings):
    settings.JUSHA_BASE_URL = "https://jusha.example.cn"
    world.lina.email = "lina@example.cn"
    world.lina.save()
    with commit():
        notify(recipients=[world.lina], kind="test.wish_claimed",
               context={"unit": "下沙医院", "beneficiary": "王芳", "wish": "一副老花镜"})
    assert [m.body for m in sent_texts] == ["Jusha: 下沙医院 claimed a micro-wish."] * 2
    assert "王芳" in Message.objects.get(recipient=world.lina).context["beneficiary"]
    assert "王芳" in mail.outbox[0].body  # the person's own mailbox gets the inbox text


def test_every_kind_is_listed_in_docs():
    docs = (ROOT / "docs" / "notifications.md").read_text()
    missing = [k.code for k in kinds.all_kinds() if f"`{k.code}`" not in docs]
    assert missing == [], "add these kinds to docs/notifications.md"
    assert f"`{kinds.DIGEST}`" in docs


# --- notify(): inbox first, channels after commit ------------------------------------------------

def test_granting_a_role_tells_the_person_in_the_inbox_and_by_sms(world, now, commit, sent_texts):
    with commit():
        role_grant(actor=world.liuyang, user=world.zhouqiang, role=Role.COMMUNITY_STAFF, scope=world.zhige)
    message = Message.objects.get(recipient=world.zhouqiang)
    assert message.kind == "account.role_granted" and message.sender == world.liuyang
    assert message.link == "/console/"
    assert [(m.to, m.kind) for m in sent_texts] == [("13900000002", "account.role_granted")]
    assert "智格社区" in sent_texts[0].body
    delivery = Delivery.objects.get(message=message)
    assert (delivery.status, delivery.attempts, delivery.body) == (Status.SENT, 1, sent_texts[0].body)
    assert list(delivery.attempt_log.values_list("number", "ok", "channel")) == [(1, True, "sms")]


def test_a_resident_joining_tells_their_community_staff(world, now, commit, sent_texts):
    newcomer = User.objects.create_user(mobile="13800000009", name="赵敏")
    with commit():
        resident_join_community(actor=newcomer, community=world.yanlan)
    assert list(Message.objects.values_list("recipient__username", "kind")) == [
        ("chenjing", "account.resident_joined")]
    assert sent_texts == []  # inbox only unless staff chose more


def test_nothing_is_written_or_sent_when_the_change_rolls_back(world, now, sent_texts, commit):
    class Undo(Exception):
        pass

    with commit(), pytest.raises(Undo), transaction.atomic():
        role_grant(actor=world.liuyang, user=world.zhouqiang, role=Role.COMMUNITY_STAFF, scope=world.zhige)
        raise Undo
    assert not Message.objects.exists()
    assert sent_texts == []


def test_the_same_event_lands_in_an_inbox_once(world, now, commit, sent_texts):
    for _event in range(2):
        with commit():
            notify(recipients=[world.zhouqiang], kind="account.role_granted", context={"role": "supervisor"},
                   key="event-1")
    assert Message.objects.filter(recipient=world.zhouqiang).count() == 1
    assert len(sent_texts) == 1


def test_inactive_people_and_people_without_an_address_get_no_delivery(world, now, commit, sent_texts):
    world.zhangwei.is_active = False
    world.zhangwei.save()
    prefer(world.wangfang, "system.announcement", "email", "sms")  # no e-mail address: only SMS
    with commit():
        notify(recipients=User.objects.filter(pk__in=[world.wangfang.pk, world.zhangwei.pk, world.chenjing.pk]),
               kind="system.announcement", context={"title": "t", "community": "c", "body": "b"})
    assert set(Message.objects.values_list("recipient__name", flat=True)) == {"王芳", "陈静"}
    assert list(Delivery.objects.values_list("recipient__name", "channel")) == [("王芳", "sms")]


# --- preferences ------------------------------------------------------------------------------------

def test_a_person_chooses_the_channels_for_each_kind(world, now, commit, sent_texts):
    world.wangfang.email = "wangfang@example.cn"
    world.wangfang.save()
    prefer(world.wangfang, "system.announcement", "sms", "email")
    announce(world, commit)
    assert sorted(Delivery.objects.filter(recipient=world.wangfang).values_list("channel", flat=True)) == [
        "email", "sms"]
    assert [m.to for m in sent_texts] == ["13800000001"]
    assert mail.outbox[0].to == ["wangfang@example.cn"]
    assert "停水通知" in mail.outbox[0].subject


def test_without_a_choice_the_kinds_default_channels_apply(world, now, commit, sent_texts):
    announce(world, commit)
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["wechat"]


def test_choosing_no_channel_leaves_the_inbox_only(world, now, commit, sent_texts):
    prefer(world.wangfang, "system.announcement")
    announce(world, commit)
    assert Message.objects.filter(recipient=world.wangfang).exists()
    assert not Delivery.objects.exists()


@pytest.mark.parametrize(("kind", "channels", "digest", "error"), [
    ("no.such.kind", ["sms"], False, "kind"),
    ("system.announcement", ["fax"], False, "channels"),
    ("system.alert", ["sms"], True, "digest"),
])
def test_preference_refusals(world, kind, channels, digest, error):
    with pytest.raises(DomainError) as refused:
        services.preference_set(actor=world.wangfang, kind=kind, channels=channels, digest=digest)
    assert refused.value.field == error
    assert not Preference.objects.exists()


def test_saving_the_defaults_writes_no_preference(world):
    services.preference_set(actor=world.wangfang, kind="system.announcement", channels=["wechat"])
    assert not Preference.objects.exists()
    assert not AuditEntry.objects.filter(action="notifications.preference_set").exists()


def test_changing_a_preference_is_audited(world):
    prefer(world.lina, "account.resident_joined", "sms", digest=True)
    entry = AuditEntry.objects.get(action="notifications.preference_set")
    assert entry.after == {"kind": "account.resident_joined", "channels": ["sms"], "digest": True}
    prefer(world.lina, "account.resident_joined", "sms", digest=True)  # no change, no second entry
    assert AuditEntry.objects.filter(action="notifications.preference_set").count() == 1


# --- quiet hours --------------------------------------------------------------------------------

@pytest.mark.parametrize(("at", "start", "end", "until"), [
    ("2026-05-06 23:30", "22:00", "07:00", "2026-05-07 07:00"),
    ("2026-05-06 02:00", "22:00", "07:00", "2026-05-06 07:00"),
    ("2026-05-06 22:00", "22:00", "07:00", "2026-05-07 07:00"),
    ("2026-05-06 07:00", "22:00", "07:00", None),
    ("2026-05-06 12:00", "22:00", "07:00", None),
    ("2026-05-06 13:00", "12:00", "14:00", "2026-05-06 14:00"),
    ("2026-05-06 15:00", "12:00", "14:00", None),
])
def test_quiet_hours_windows(world, at, start, end, until):
    prefs = services.settings_of(world.wangfang)
    prefs.quiet_start, prefs.quiet_end = time.fromisoformat(start), time.fromisoformat(end)
    assert quiet_until(prefs, local(at)) == (local(until) if until else None)


def test_no_sms_at_night_it_goes_out_in_the_morning(world, now, commit, sent_texts):
    prefer(world.wangfang, "system.announcement", "sms", "wechat")
    now.current = local("2026-05-06 23:30")
    announce(world, commit)
    assert sent_texts == []
    assert Message.objects.filter(recipient=world.wangfang).exists()  # the inbox has it at once
    waiting = Delivery.objects.filter(recipient=world.wangfang)
    assert {(d.status, d.next_attempt_at) for d in waiting} == {(Status.PENDING, local("2026-05-07 07:00"))}
    assert not DeliveryAttempt.objects.exists()  # postponing is not an attempt

    now.current = local("2026-05-07 06:59")
    services.deliveries_due()
    assert sent_texts == []
    now.current = local("2026-05-07 07:00")
    services.deliveries_due()
    assert len(texts_to(sent_texts, "13800000001")) == 2


def test_urgent_notices_are_sent_at_night(world, now, commit, sent_texts):
    now.current = local("2026-05-06 23:30")
    announce(world, commit, title="台风预警", body="今晚台风登陆，请勿外出。", urgent=True)
    assert sorted(m.kind for m in texts_to(sent_texts, "13800000001")) == ["system.alert", "system.alert"]
    assert "台风预警" in sent_texts[0].body


def test_e_mail_is_not_held_by_quiet_hours(world, now, commit, sent_texts):
    world.wangfang.email = "wangfang@example.cn"
    world.wangfang.save()
    prefer(world.wangfang, "system.announcement", "email")
    now.current = local("2026-05-06 23:30")
    announce(world, commit)
    assert len(mail.outbox) == 1


def test_a_person_may_switch_quiet_hours_off(world, now, commit, sent_texts):
    services.delivery_settings_set(actor=world.wangfang, quiet_enabled=False, quiet_start=time(22), quiet_end=time(7),
                                   language="zh-hans", email="")
    prefer(world.wangfang, "system.announcement", "sms")
    now.current = local("2026-05-06 23:30")
    announce(world, commit)
    assert len(sent_texts) == 1


def test_texts_go_out_in_the_persons_language(world, now, commit, sent_texts):
    services.delivery_settings_set(actor=world.wangfang, quiet_enabled=True, quiet_start=time(22), quiet_end=time(7),
                                   language="en", email="")
    prefer(world.wangfang, "system.announcement", "sms")
    announce(world, commit)
    assert sent_texts[0].body == "Jusha · 智格社区: 停水通知. Open Jusha to read it."


@pytest.mark.parametrize(("changes", "field"), [
    ({"language": "fr"}, "language"),
    ({"email": "not-an-address"}, "email"),
    ({"quiet_start": time(7), "quiet_end": time(7)}, "quiet_end"),
])
def test_delivery_settings_refusals(world, changes, field):
    values = {"quiet_enabled": True, "quiet_start": time(22), "quiet_end": time(7), "language": "zh-hans",
              "email": "", **changes}
    with pytest.raises(DomainError) as refused:
        services.delivery_settings_set(actor=world.wangfang, **values)
    assert refused.value.field == field


# --- digests and rate limits ------------------------------------------------------------------------

def test_staff_who_chose_the_daily_digest_get_one_text_at_six(world, now, commit, sent_texts):
    prefer(world.lina, "account.resident_joined", "sms", digest=True)
    for i in range(3):
        newcomer = User.objects.create_user(mobile=f"1380000010{i}", name=f"新居民{i}")
        with commit():
            resident_join_community(actor=newcomer, community=world.zhige)
    assert Message.objects.filter(recipient=world.lina).count() == 3  # each in the inbox at once
    assert sent_texts == []
    assert set(Delivery.objects.values_list("status", "next_attempt_at")) == {(Status.HELD, local("2026-05-06 18:00"))}

    now.current = local("2026-05-06 17:59")
    assert services.deliveries_due()["digests"] == 0
    now.current = local("2026-05-06 18:00")
    assert services.deliveries_due()["digests"] == 1
    assert [(m.to, m.kind) for m in sent_texts] == [("13900000001", kinds.DIGEST)]
    assert "3" in sent_texts[0].body
    assert not any(f"新居民{i}" in sent_texts[0].body for i in range(3))  # no third person's name by text
    digest = Delivery.objects.get(kind=kinds.DIGEST)
    assert digest.status == Status.SENT
    assert set(digest.digested.values_list("status", flat=True)) == {Status.DIGESTED}

    services.deliveries_due()  # the sweep again: nothing left to send
    assert len(sent_texts) == 1


def test_digest_text_counts_per_kind_in_both_languages():
    counts = {"account.resident_joined": 12, "system.announcement": 1}
    english = kinds.digest_text(counts, "en")
    assert "12 new residents joined your community" in english and "1 community announcement" in english


def test_a_storm_of_events_becomes_a_digest_not_a_stream_of_texts(world, now, commit, sent_texts, settings):
    settings.JUSHA_NOTIFY_PER_HOUR = 5
    prefer(world.wangfang, "system.announcement", "sms")
    for i in range(20):
        announce(world, commit, title=f"通知{i}")
    assert len(texts_to(sent_texts, "13800000001")) == 5
    assert Delivery.objects.filter(status=Status.HELD).count() == 15

    now.advance(minutes=30)
    services.deliveries_due()
    assert len(sent_texts) == 5
    now.advance(minutes=30)
    services.deliveries_due()
    assert len(sent_texts) == 6
    assert sent_texts[-1].kind == kinds.DIGEST
    assert "15" in sent_texts[-1].body


def test_urgent_notices_skip_the_rate_limit(world, now, commit, sent_texts, settings):
    settings.JUSHA_NOTIFY_PER_HOUR = 1
    prefer(world.wangfang, "system.alert", "sms")
    for i in range(3):
        announce(world, commit, title=f"预警{i}", urgent=True)
    assert len(sent_texts) == 3


# --- delivery: at most once, retries with back-off, a failing channel blocks nothing ---------------

def test_a_delivery_task_run_twice_sends_once(world, now, commit, sent_texts):
    prefer(world.wangfang, "system.announcement", "sms")
    announce(world, commit)
    delivery = Delivery.objects.get()
    assert delivery.status == Status.SENT
    tasks.deliver.enqueue(delivery.pk)
    tasks.deliver.call(delivery.pk)
    assert len(sent_texts) == 1
    assert DeliveryAttempt.objects.count() == 1


def test_a_delivery_is_not_sent_before_its_time(world, now, commit, sent_texts, settings):
    settings.JUSHA_SMS_SENDER = "webhook"
    settings.JUSHA_SMS_WEBHOOK_URL = "http://127.0.0.1:9/nothing"
    prefer(world.wangfang, "system.announcement", "sms")
    announce(world, commit)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Status.PENDING, 1)
    assert tasks.deliver.call(delivery.pk) == Status.PENDING  # a stray re-run before the back-off: nothing
    assert DeliveryAttempt.objects.count() == 1


def test_the_webhook_gets_signed_json_with_the_idempotency_key(world, now, commit, settings, gateway):
    gw = gateway()
    settings.JUSHA_SMS_SENDER, settings.JUSHA_SMS_WEBHOOK_URL = "webhook", gw.url
    prefer(world.wangfang, "system.announcement", "sms")
    announce(world, commit)
    headers, body = gw.requests[0]
    delivery = Delivery.objects.get()
    assert json.loads(body) == {"to": "13800000001", "kind": "system.announcement", "key": delivery.idempotency_key,
                                "text": delivery.body}
    assert headers["Idempotency-Key"] == delivery.idempotency_key
    assert delivery.status == Status.SENT


def test_a_500_is_retried_with_back_off_until_it_goes_through(world, now, commit, settings, gateway):
    gw = gateway(statuses=[500, 503])
    settings.JUSHA_SMS_SENDER, settings.JUSHA_SMS_WEBHOOK_URL = "webhook", gw.url
    settings.JUSHA_NOTIFY_RETRY_SECONDS = 60
    prefer(world.wangfang, "system.announcement", "sms")
    announce(world, commit)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (
        Status.PENDING, 1, local("2026-05-06 10:01"))
    assert "500" in delivery.last_error

    now.current = local("2026-05-06 10:00:59")
    services.deliveries_due()
    assert len(gw.requests) == 1
    now.current = local("2026-05-06 10:01")
    services.deliveries_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.next_attempt_at) == (Status.PENDING, local("2026-05-06 10:03"))  # 2 min

    now.current = local("2026-05-06 10:03")
    services.deliveries_due()
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.last_error == ""
    assert list(delivery.attempt_log.values_list("number", "ok")) == [(1, False), (2, False), (3, True)]
    assert {h["Idempotency-Key"] for h, _b in gw.requests} == {delivery.idempotency_key}


def test_wechat_template_messages_go_to_the_bridge_webhook(world, now, commit, settings, sent_texts, gateway):
    bridge, sms_gateway = gateway(), gateway()
    settings.JUSHA_WECHAT_SENDER, settings.JUSHA_WECHAT_WEBHOOK_URL = "webhook", bridge.url
    settings.JUSHA_WECHAT_WEBHOOK_SECRET = "bridge-secret"
    settings.JUSHA_SMS_SENDER, settings.JUSHA_SMS_WEBHOOK_URL = "webhook", sms_gateway.url
    prefer(world.wangfang, "system.announcement", "wechat", "sms")
    announce(world, commit)
    assert len(bridge.requests) == 1 and len(sms_gateway.requests) == 1
    headers, body = bridge.requests[0]
    wechat = Delivery.objects.get(channel="wechat")
    assert json.loads(body)["key"] == wechat.idempotency_key == f"m{wechat.message_id}.wechat"
    expected = hmac.new(b"bridge-secret", headers["X-Jusha-Timestamp"].encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    assert headers["X-Jusha-Signature"] == expected
    assert sent_texts == []


def test_a_timeout_is_a_failed_attempt_and_is_retried(world, now, commit, settings, gateway):
    gw = gateway(delay=1.0)
    settings.JUSHA_SMS_SENDER, settings.JUSHA_SMS_WEBHOOK_URL = "webhook", gw.url
    settings.JUSHA_SMS_WEBHOOK_TIMEOUT = 0.3
    prefer(world.wangfang, "system.announcement", "sms")
    announce(world, commit)
    delivery = Delivery.objects.get()
    assert delivery.status == Status.PENDING
    assert "unreachable" in delivery.last_error

    gw.delay = 0
    now.advance(minutes=1)
    services.deliveries_due()
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    assert list(delivery.attempt_log.values_list("ok", flat=True)) == [False, True]


def test_after_the_last_attempt_a_delivery_is_failed(world, now, commit, settings, gateway):
    gw = gateway(status=500)
    settings.JUSHA_SMS_SENDER, settings.JUSHA_SMS_WEBHOOK_URL = "webhook", gw.url
    settings.JUSHA_NOTIFY_MAX_ATTEMPTS = 3
    prefer(world.wangfang, "system.announcement", "sms")
    announce(world, commit)
    for _hour in range(5):
        now.advance(hours=1)
        services.deliveries_due()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, len(gw.requests)) == (Status.FAILED, 3, 3)


def test_a_failing_channel_never_blocks_the_others(world, now, commit, settings, sent_texts, gateway):
    settings.JUSHA_SMS_SENDER, settings.JUSHA_SMS_WEBHOOK_URL = "webhook", gateway(status=500).url
    world.wangfang.email = "wangfang@example.cn"
    world.wangfang.save()
    prefer(world.wangfang, "system.announcement", "sms", "wechat", "email")
    announce(world, commit)
    status = dict(Delivery.objects.values_list("channel", "status"))
    assert status == {"sms": Status.PENDING, "wechat": Status.SENT, "email": Status.SENT}
    assert [m.kind for m in sent_texts] == ["system.announcement"]  # WeChat, through the console sender
    assert len(mail.outbox) == 1


def test_a_delivery_interrupted_mid_send_is_failed_not_sent_twice(world, now, commit, sent_texts):
    prefer(world.wangfang, "system.announcement", "sms")
    with commit():
        services.announcement_send(actor=world.lina, community=world.zhige, title="t", body="b")
        Delivery.objects.update(status=Status.SENDING, attempts=1, claimed_at=now.current)
    now.advance(minutes=11)
    assert services.deliveries_due()["interrupted"] == 1
    delivery = Delivery.objects.get()
    assert delivery.status == Status.FAILED and "interrupted" in delivery.last_error
    assert sent_texts == []


def test_two_workers_racing_for_one_delivery_send_it_once(transactional_db, world, now, sent_texts):
    message = Message.objects.create(recipient=world.wangfang, kind="system.announcement", context={"title": "t"},
                                     created_at=now.current)
    delivery = Delivery.objects.create(message=message, recipient=world.wangfang, kind=message.kind, channel="sms",
                                       idempotency_key=f"m{message.pk}.sms", next_attempt_at=now.current,
                                       created_at=now.current)
    barrier = threading.Barrier(4)
    outcomes = []

    def worker():
        barrier.wait()
        try:
            outcomes.append(services.delivery_attempt(delivery_id=delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # A loser reports the row's state as it found it ("sending", "sent" or "taken"); what matters is
    # that exactly one worker sent the text and recorded an attempt.
    assert len(outcomes) == 4
    assert len(sent_texts) == 1
    assert DeliveryAttempt.objects.filter(delivery=delivery).count() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.SENT, 1)


def test_the_sweeper_command_reports_what_it_did(world, now, commit, capsys):
    call_command("notifications_deliver_due")
    assert "digests=0" in capsys.readouterr().out


# --- resending a failed delivery ------------------------------------------------------------------------

@pytest.fixture
def failed_announcement(world, now, commit, settings, gateway):
    gw = gateway(status=500)
    settings.JUSHA_SMS_SENDER, settings.JUSHA_SMS_WEBHOOK_URL = "webhook", gw.url
    settings.JUSHA_NOTIFY_MAX_ATTEMPTS = 1
    prefer(world.wangfang, "system.announcement", "sms")
    found = announce(world, commit)
    assert Delivery.objects.get().status == Status.FAILED
    gw.status = 200
    return found


def test_staff_resend_a_failed_delivery(world, commit, failed_announcement):
    delivery = Delivery.objects.get()
    with commit():
        services.delivery_resend(actor=world.lina, delivery=delivery)
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    assert list(delivery.attempt_log.values_list("number", "ok")) == [(1, False), (2, True)]
    entry = AuditEntry.objects.get(action="notifications.delivery_resend")
    assert entry.community_id == failed_announcement.community_id

    with pytest.raises(DomainError) as refused:
        services.delivery_resend(actor=world.lina, delivery=delivery)
    assert refused.value.code == "not_failed"


def test_staff_of_another_community_cannot_resend(world, failed_announcement):
    with pytest.raises(NotAllowed):
        services.delivery_resend(actor=world.chenjing, delivery=Delivery.objects.get())


def test_the_resend_button_on_the_console(client, world, commit, failed_announcement):
    login(client, "lina")
    page = client.get(f"/console/messages/announcements/{failed_announcement.pk}/").content.decode()
    assert 'data-testid="resend"' in page and "webhook answered 500" in page
    delivery = Delivery.objects.get()
    with commit():
        response = client.post(f"/console/messages/deliveries/{delivery.pk}/resend/", follow=True)
    assert response.status_code == 200
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    assert 'data-testid="resend"' not in response.content.decode()
    # once sent, another press is refused with a message, not an error page
    response = client.post(f"/console/messages/deliveries/{delivery.pk}/resend/", follow=True)
    assert response.status_code == 200 and '<li class="error">' in response.content.decode()
    assert delivery.attempt_log.count() == 2


def test_other_staff_get_a_404_for_the_resend_button(client, world, failed_announcement):
    login(client, "chenjing")
    delivery = Delivery.objects.get()
    assert client.post(f"/console/messages/deliveries/{delivery.pk}/resend/").status_code == 404
    assert client.get(f"/console/messages/announcements/{failed_announcement.pk}/").status_code == 404


def test_the_deliveries_page_lists_failed_ones_and_resends_back_to_itself(client, world, commit, failed_announcement):
    login(client, "lina")
    page = client.get("/console/messages/deliveries/", {"status": "failed"}).content.decode()
    assert 'data-status="failed"' in page and "王芳" in page
    assert client.get("/console/messages/deliveries/", {"status": "sent"}).content.decode().count("<tr data-") == 0
    assert client.get("/console/messages/deliveries/", {"status": "<x>"}).status_code == 200
    delivery = Delivery.objects.get()
    with commit():
        response = client.post(f"/console/messages/deliveries/{delivery.pk}/resend/",
                               {"next": "/console/messages/deliveries/?status=failed"})
    assert response["Location"] == "/console/messages/deliveries/?status=failed"
    response = client.post(f"/console/messages/deliveries/{delivery.pk}/resend/", {"next": "https://evil.example/"})
    assert response["Location"] == f"/console/messages/announcements/{failed_announcement.pk}/"


def test_people_who_follow_no_deliveries_get_a_404_for_the_page(client, world):
    login(client, "zhaolei")
    assert client.get("/console/messages/deliveries/").status_code == 404
    resident_login(client, world.wangfang)
    assert client.get("/console/messages/deliveries/").status_code == 404


# --- the permission matrix ----------------------------------------------------------------------------

@pytest.mark.parametrize("person", PEOPLE)
def test_everyone_reads_only_their_own_inbox(world, now, person):
    for name in PEOPLE[1:]:
        notify(recipients=[getattr(world, name)], kind="account.role_granted", context={"role": "resident"})
    seen = permissions.visible(who(world, person), Action.MESSAGE_VIEW, Message.objects.all())
    expected = set() if person == "anonymous" else {getattr(world, person).pk}
    assert set(seen.values_list("recipient_id", flat=True)) == expected


ANNOUNCE_TO = {**{n: set() for n in PEOPLE}, "lina": {"智格社区"}, "chenjing": {"滟澜社区"},
               "liuyang": {"智格社区", "滟澜社区"}, "admin": {"智格社区", "滟澜社区"}}


@pytest.mark.parametrize("person", PEOPLE)
def test_who_may_announce_to_which_community(world, person):
    allowed = permissions.visible(who(world, person), Action.ANNOUNCEMENT_SEND, Community.objects.all())
    assert {c.name for c in allowed} == ANNOUNCE_TO[person]
    assert permissions.can(who(world, person), Action.ANNOUNCEMENT_SEND) == bool(ANNOUNCE_TO[person])


FOLLOW = {**{n: set() for n in PEOPLE}, "lina": {"智格"}, "chenjing": {"滟澜"}, "liuyang": {"智格", "滟澜"},
          "admin": {"智格", "滟澜"}}


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("action", [Action.DELIVERY_VIEW, Action.DELIVERY_RESEND])
def test_who_follows_and_resends_which_deliveries(world, now, commit, person, action):
    prefer(world.wangfang, "system.announcement", "sms")
    prefer(world.zhangwei, "system.announcement", "sms")
    announce(world, commit, title="智格")
    announce(world, commit, actor=world.chenjing, community=world.yanlan, title="滟澜")
    seen = permissions.visible(who(world, person), action, Delivery.objects.all())
    assert {d.message.context["title"] for d in seen} == FOLLOW[person]
    announcements = permissions.visible(who(world, person), Action.ANNOUNCEMENT_VIEW, Announcement.objects.all())
    assert {a.title for a in announcements} == FOLLOW[person]


def test_the_sender_follows_their_own_messages_wherever_they_went(world, now, commit):
    notify(recipients=[world.zhangwei], kind="account.role_granted", context={}, sender=world.zhaolei)
    # a command operator (not announcing staff) has no console page for it, but the rule says "theirs"
    assert permissions.visible(world.zhaolei, Action.DELIVERY_VIEW, Delivery.objects.all()).count() == \
        Delivery.objects.filter(message__sender=world.zhaolei).count()


# --- the inbox pages --------------------------------------------------------------------------------------

@pytest.fixture
def inbox_world(world, now, commit):
    """王芳 has two announcements (one read) and a role message; 张伟 has one of his own."""
    first = announce(world, commit, title="停水通知")
    now.advance(minutes=5)
    announce(world, commit, title="电梯检修")
    notify(recipients=[world.wangfang], kind="account.role_granted",
           context={"role": "unit_liaison", "scope": "下沙医院"})
    Message.objects.filter(announcement=first).update(read_at=now.current)
    notify(recipients=[world.zhangwei], kind="system.announcement",
           context={"title": "张伟的私信", "community": "滟澜社区", "body": "只给张伟"})
    return world


def test_a_resident_sees_her_messages_grouped_by_kind_unread_first(client, inbox_world):
    resident_login(client, inbox_world.wangfang)
    page = client.get("/me/messages/").content.decode()
    assert "张伟的私信" not in page
    assert page.index("电梯检修") < page.index("停水通知")  # unread before read inside the group
    assert page.count('data-testid="inbox-group"') == 2
    assert 'data-testid="unread-badge"' in page


def test_the_unread_badge_is_in_the_me_tab(client, inbox_world):
    resident_login(client, inbox_world.wangfang)
    page = client.get("/").content.decode()
    assert 'data-testid="unread-badge"' in page
    assert '<span aria-hidden="true">2</span>' in page


def test_opening_a_message_marks_it_read_and_links_to_the_object(client, inbox_world):
    resident_login(client, inbox_world.wangfang)
    role_message = Message.objects.get(recipient=inbox_world.wangfang, kind="account.role_granted")
    page = client.get(f"/me/messages/{role_message.pk}/").content.decode()
    assert 'data-testid="message-link"' in page and 'href="/console/"' in page
    role_message.refresh_from_db()
    assert role_message.read_at is not None
    assert client.get("/api/notifications/unread").json() == {"unread": 1}


def test_another_persons_message_is_a_404_even_for_an_administrator(client, inbox_world):
    theirs = Message.objects.get(recipient=inbox_world.zhangwei)
    resident_login(client, inbox_world.wangfang)
    assert client.get(f"/me/messages/{theirs.pk}/").status_code == 404
    login(client, "admin")
    assert client.get(f"/me/messages/{theirs.pk}/").status_code == 404
    assert client.get(f"/console/messages/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/notifications/messages/{theirs.pk}/read").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(client, inbox_world):
    resident_login(client, inbox_world.wangfang)
    assert client.post("/me/messages/read-all/").status_code == 302
    assert not Message.objects.filter(recipient=inbox_world.wangfang, read_at=None).exists()
    assert Message.objects.filter(recipient=inbox_world.zhangwei, read_at=None).exists()


def test_the_inbox_filters_by_kind_and_ignores_unknown_kinds(client, inbox_world):
    resident_login(client, inbox_world.wangfang)
    only = client.get("/me/messages/", {"kind": "account.role_granted"}).content.decode()
    assert "电梯检修" not in only
    assert client.get("/me/messages/", {"kind": "<script>"}).status_code == 200


def test_the_inbox_speaks_english_on_request(client, inbox_world):
    resident_login(client, inbox_world.wangfang)
    page = client.get("/me/messages/", headers={"Accept-Language": "en"}).content.decode()
    assert "You have a new role: unit liaison" in page


def test_the_inbox_runs_a_fixed_number_of_queries(client, inbox_world, django_assert_max_num_queries, now):
    for i in range(30):
        notify(recipients=[inbox_world.wangfang], kind="system.announcement", context={"title": f"n{i}"})
    resident_login(client, inbox_world.wangfang)
    with django_assert_max_num_queries(12):
        assert client.get("/me/messages/").status_code == 200


def test_logged_out_people_are_sent_to_log_in(client, db):
    assert client.get("/me/messages/").status_code == 302
    assert client.get("/me/notifications/").status_code == 302
    assert client.get("/api/notifications/messages").status_code == 401


def test_the_console_bell_counts_the_staff_members_unread_messages(client, world, now, commit):
    notify(recipients=[world.lina], kind="account.role_granted", context={"role": "community_staff"})
    login(client, "lina")
    page = client.get("/console/").content.decode()
    assert 'data-testid="console-bell"' in page and 'data-testid="unread-badge"' in page
    inbox = client.get("/console/messages/").content.decode()
    assert "社区工作人员" in inbox


def test_the_inbox_api(client, inbox_world):
    resident_login(client, inbox_world.wangfang)
    listed = client.get("/api/notifications/messages").json()
    assert [m["unread"] for m in listed] == [True, True, False]
    assert {m["kind"] for m in listed} == {"system.announcement", "account.role_granted"}
    assert len(client.get("/api/notifications/messages", {"unread": "true"}).json()) == 2
    assert client.post("/api/notifications/messages/read-all", {}, content_type="application/json").json() == {
        "unread": 0}


@pytest.mark.parametrize("path", ["/me/messages/99999999999999999999/", "/console/messages/99999999999999999999/"])
def test_absurd_ids_are_404s_not_errors(client, world, path):
    login(client, "lina")
    assert client.get(path).status_code == 404


def test_absurd_ids_in_the_api_are_404s(client, world):
    login(client, "lina")
    assert client.post("/api/notifications/messages/99999999999999999999/read").status_code in (404, 422)
    assert client.get("/api/notifications/messages", {"unread": "maybe"}).status_code == 422


# --- the preferences page ----------------------------------------------------------------------------

def test_the_preferences_page_shows_the_kinds_for_the_person(client, world):
    resident_login(client, world.wangfang)
    page = client.get("/me/notifications/").content.decode()
    assert 'data-kind="system.announcement"' in page and 'data-kind="account.resident_joined"' not in page
    login(client, "lina")
    page = client.get("/me/notifications/").content.decode()
    assert 'data-kind="account.resident_joined"' in page and "account-resident_joined--mode" in page


def test_saving_preferences(client, world):
    login(client, "lina")
    response = client.post("/me/notifications/", {
        "account-resident_joined--sms": "on", "account-resident_joined--mode": "digest",
        "account-role_granted--wechat": "on", "quiet_enabled": "on", "quiet_start": "21:30", "quiet_end": "06:30",
        "language": "en", "email": "lina@example.cn"})
    assert response.status_code == 302
    chosen = dict(Preference.objects.filter(user=world.lina).values_list("kind", "channels"))
    assert (chosen["account.resident_joined"], chosen["account.role_granted"]) == (["sms"], ["wechat"])
    assert Preference.objects.get(user=world.lina, kind="account.resident_joined").digest
    settings_row = services.settings_of(world.lina)
    assert (settings_row.quiet_start, settings_row.language) == (time(21, 30), "en")
    world.lina.refresh_from_db()
    assert world.lina.email == "lina@example.cn"
    page = client.get("/me/notifications/").content.decode()
    assert 'value="21:30"' in page


def test_e_mail_is_not_offered_when_the_deployment_has_no_mail_server(client, world, settings, now, commit):
    settings.JUSHA_EMAIL = "off"
    world.wangfang.email = "wangfang@example.cn"
    world.wangfang.save()
    prefer(world.wangfang, "system.announcement", "email", "sms")
    announce(world, commit)
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["sms"]
    resident_login(client, world.wangfang)
    page = client.get("/me/notifications/").content.decode()
    assert "--email" not in page and 'name="email"' not in page
    assert client.post("/me/notifications/", {"quiet_start": "22:00", "quiet_end": "07:00",
                                              "language": "zh-hans"}).status_code == 302
    world.wangfang.refresh_from_db()
    assert world.wangfang.email == "wangfang@example.cn"


@pytest.mark.parametrize("bad", [
    {"quiet_start": "25:00"},
    {"quiet_start": ""},
    {"email": "not an address"},
    {"language": "xx"},
    {"quiet_start": "07:00", "quiet_end": "07:00"},
    {"account-resident_joined--mode": "weekly"},
])
def test_bad_preferences_are_refused_with_a_message(client, world, bad):
    login(client, "lina")
    data = {"quiet_enabled": "on", "quiet_start": "22:00", "quiet_end": "07:00", "language": "zh-hans", "email": "",
            **bad}
    response = client.post("/me/notifications/", data)
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not Preference.objects.exists()


# --- announcements from the console ----------------------------------------------------------------------

def test_community_staff_send_an_announcement_from_the_console(client, world, now, commit):
    login(client, "lina")
    assert client.get("/console/messages/announcements/new/").status_code == 200
    with commit():
        response = client.post("/console/messages/announcements/new/", {
            "community": world.zhige.pk, "title": "停水通知", "body": "明天停水"})
    sent = Announcement.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/console/messages/announcements/{sent.pk}/"
    assert sent.n_recipients == 1
    assert list(Message.objects.values_list("recipient__name", flat=True)) == ["王芳"]
    assert AuditEntry.objects.filter(action="notifications.announcement_send", community=world.zhige).exists()
    listing = client.get("/console/messages/announcements/").content.decode()
    assert "停水通知" in listing


@pytest.mark.parametrize("bad", [
    {"title": ""},
    {"title": "长" * 61},
    {"body": ""},
    {"body": "长" * 501},
    {"community": "abc"},
])
def test_bad_announcements_are_refused_with_a_message(client, world, bad):
    login(client, "lina")
    data = {"community": world.zhige.pk, "title": "停水通知", "body": "明天停水", **bad}
    response = client.post("/console/messages/announcements/new/", data)
    assert response.status_code == 400 and 'class="error"' in response.content.decode()
    assert not Announcement.objects.exists()


def test_staff_cannot_announce_to_another_community(client, world):
    login(client, "lina")
    response = client.post("/console/messages/announcements/new/", {
        "community": world.yanlan.pk, "title": "t", "body": "b"})
    assert response.status_code == 400
    with pytest.raises(NotAllowed):
        services.announcement_send(actor=world.lina, community=world.yanlan, title="t", body="b")


@pytest.mark.parametrize("username", ["zhaolei", "sunmin", "wugang", "zhengli", "zhouqiang"])
def test_staff_who_may_not_announce_get_404s(client, world, username):
    login(client, username)
    assert client.get("/console/messages/announcements/").status_code == 404
    assert client.get("/console/messages/announcements/new/").status_code == 404


def test_residents_have_no_console_announcements(client, world):
    resident_login(client, world.wangfang)
    assert client.get("/console/messages/announcements/").status_code == 404


def test_announcement_list_runs_a_fixed_number_of_queries(client, world, now, commit, django_assert_max_num_queries):
    for i in range(10):
        announce(world, commit, title=f"通知{i}")
    login(client, "liuyang")
    with django_assert_max_num_queries(15):
        assert client.get("/console/messages/announcements/").status_code == 200
    sent = Announcement.objects.first()
    with django_assert_max_num_queries(15):
        assert client.get(f"/console/messages/announcements/{sent.pk}/").status_code == 200


def test_next_digest_time_is_today_or_tomorrow_at_the_digest_hour():
    assert services.next_digest_time(local("2026-05-06 10:00")) == local("2026-05-06 18:00")
    assert services.next_digest_time(local("2026-05-06 18:00")) == local("2026-05-07 18:00")
    assert services.next_digest_time(local("2026-05-06 23:00")) - local("2026-05-06 23:00") == timedelta(hours=19)


@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/api/notifications/messages/read-all", "{not json"),
    ("post", "/api/notifications/messages/read-all", '{"kind": 5}'),
    ("get", "/api/notifications/messages?kind=" + "x" * 100, None),
    ("post", "/api/notifications/messages/abc/read", None),
    ("get", "/me/messages/read-all/", None),
    ("get", "/console/messages/deliveries/1/resend/", None),
    ("post", "/me/messages/read-all/", "kind=%00"),
])
def test_bad_input_is_answered_not_crashed(client, world, method, path, body):
    login(client, "lina")
    kwargs = {"data": body, "content_type": "application/json"} if body and path.startswith("/api/") else (
        {"data": body, "content_type": "application/x-www-form-urlencoded"} if body else {})
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code < 500
