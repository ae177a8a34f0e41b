"""Pluggable senders for text messages to a mobile (one-time codes now; notifications later).

"console" writes the message to the log, for development and the demo. "webhook" POSTs JSON to a
URL the deployment runs (its SMS gateway or WeChat bridge), signed so the gateway can trust it:
X-Jusha-Timestamp and X-Jusha-Signature = hex HMAC-SHA256(secret, timestamp + "." + body).
A message with a `key` (notifications' idempotency key) carries it as "key" in the JSON and as the
Idempotency-Key header, so a gateway can drop the second copy when a timed-out request is retried.
"""

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

log = logging.getLogger("jusha.messaging")


class DeliveryFailed(Exception):
    pass


@dataclass(frozen=True)
class TextMessage:
    to: str
    body: str
    kind: str
    key: str = ""


class ConsoleSender:
    def send(self, message: TextMessage) -> None:
        log.info("text message to %s (%s): %s", message.to, message.kind, message.body)


class WebhookSender:
    def __init__(self, url: str, secret: str = "", timeout: float = 5):
        self.url, self.secret, self.timeout = url, secret, timeout

    def sign(self, timestamp: str, body: bytes) -> str:
        return hmac.new(self.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()

    def send(self, message: TextMessage) -> None:
        payload = {"to": message.to, "text": message.body, "kind": message.kind}
        if message.key:
            payload["key"] = message.key
        body = json.dumps(payload, ensure_ascii=False).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Jusha-Timestamp": timestamp,
            "X-Jusha-Signature": self.sign(timestamp, body),
        }
        if message.key:
            headers["Idempotency-Key"] = message.key
        request = urllib.request.Request(self.url, data=body, method="POST", headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (the deployment configures this URL)
                if not 200 <= response.status < 300:
                    raise DeliveryFailed(f"webhook answered {response.status}")
        except urllib.error.HTTPError as exc:
            raise DeliveryFailed(f"webhook answered {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DeliveryFailed(f"webhook unreachable: {exc}") from exc


def text_sender():
    if settings.JUSHA_SMS_SENDER == "webhook":
        return WebhookSender(settings.JUSHA_SMS_WEBHOOK_URL, settings.JUSHA_SMS_WEBHOOK_SECRET,
                             settings.JUSHA_SMS_WEBHOOK_TIMEOUT)
    return ConsoleSender()
