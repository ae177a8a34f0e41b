"""The pluggable text senders: console logs, webhook POSTs signed JSON to a local HTTP server."""

import hashlib
import hmac
import json

import pytest

from jusha.core.messaging import ConsoleSender, DeliveryFailed, TextMessage, WebhookSender, text_sender

pytest_plugins = ["tests.gateway"]  # the `gateway` fixture: a local HTTP server standing in for the SMS gateway


MESSAGE = TextMessage(to="13912345678", body="您的验证码是 123456", kind="login_code")


def test_webhook_posts_signed_json(gateway):
    gw = gateway()
    WebhookSender(gw.url, secret="s3cret").send(MESSAGE)
    headers, body = gw.requests[0]
    assert json.loads(body) == {"to": "13912345678", "text": "您的验证码是 123456", "kind": "login_code"}
    expected = hmac.new(b"s3cret", headers["X-Jusha-Timestamp"].encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["X-Jusha-Signature"] == expected


def test_webhook_carries_the_idempotency_key_when_there_is_one(gateway):
    gw = gateway()
    WebhookSender(gw.url).send(TextMessage(to="13912345678", body="hi", kind="system.announcement", key="m7.sms"))
    headers, body = gw.requests[0]
    assert json.loads(body)["key"] == "m7.sms"
    assert headers["Idempotency-Key"] == "m7.sms"


def test_webhook_error_status_is_a_delivery_failure(gateway):
    gw = gateway(status=500)
    with pytest.raises(DeliveryFailed, match="500"):
        WebhookSender(gw.url).send(MESSAGE)


def test_webhook_timeout_is_a_delivery_failure(gateway):
    gw = gateway(delay=1.5)
    with pytest.raises(DeliveryFailed):
        WebhookSender(gw.url, timeout=0.3).send(MESSAGE)


def test_unreachable_webhook_is_a_delivery_failure():
    with pytest.raises(DeliveryFailed):
        WebhookSender("http://127.0.0.1:9/nothing", timeout=1).send(MESSAGE)


def test_console_sender_logs_the_message(caplog):
    with caplog.at_level("INFO", logger="jusha.messaging"):
        ConsoleSender().send(MESSAGE)
    assert "123456" in caplog.text


def test_sender_is_chosen_by_settings(settings, gateway):
    settings.JUSHA_SMS_SENDER = "console"
    assert isinstance(text_sender(), ConsoleSender)
    settings.JUSHA_SMS_SENDER = "webhook"
    settings.JUSHA_SMS_WEBHOOK_URL = gateway().url
    assert isinstance(text_sender(), WebhookSender)


@pytest.mark.django_db(transaction=True)
def test_login_code_goes_out_through_the_webhook(settings, gateway):
    from jusha.accounts.services import code_request

    gw = gateway()
    settings.JUSHA_SMS_SENDER = "webhook"
    settings.JUSHA_SMS_WEBHOOK_URL = gw.url
    code_request(mobile="13912345678", ip=None)
    assert json.loads(gw.requests[0][1])["to"] == "13912345678"


@pytest.mark.django_db(transaction=True)
def test_a_failing_gateway_does_not_break_the_request(settings, gateway, client):
    settings.JUSHA_SMS_SENDER = "webhook"
    settings.JUSHA_SMS_WEBHOOK_URL = gateway(status=503).url
    response = client.post("/api/auth/code", {"mobile": "13912345678"}, content_type="application/json")
    assert response.status_code == 202
