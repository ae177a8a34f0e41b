"""`jusha device_push --url … --key … --secret … FILE.json`: push one detection as a device would.

For installers checking a camera's key and secret, and the reference for the detector worker: it signs
exactly as docs/devices.md describes (`signing.sign` over `timestamp + "." + body`), with a fresh
timestamp and the idempotency key given (or one made from the file's content, so re-running it is a retry).
"""

import hashlib
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jusha.devices.signing import sign


def send(url: str, body: bytes, headers: dict) -> tuple[int, bytes]:
    # handle() allows only http(s) URLs, the operator's own server.
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read()


class Command(BaseCommand):
    help = "Push one detection (a JSON file) to a Jusha server, signed with a device's key and secret."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the JSON body, e.g. {\"type\": \"clothes_drying\", \"confidence\": 0.9}")
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="the Jusha server")
        parser.add_argument("--key", required=True, help="the device's key id (jd_…)")
        parser.add_argument("--secret", required=True, help="the device's secret")
        parser.add_argument("--idempotency-key", default="", help="default: derived from the file's content")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        if not options["url"].startswith(("http://", "https://")):
            raise CommandError("--url must start with http:// or https://")
        body = path.read_bytes()
        timestamp = str(int(time.time()))
        key = options["idempotency_key"] or "file-" + hashlib.sha256(body).hexdigest()[:32]
        headers = {"Content-Type": "application/json", "X-Jusha-Key": options["key"],
                   "X-Jusha-Timestamp": timestamp, "X-Jusha-Signature": sign(options["secret"], timestamp, body),
                   "Idempotency-Key": key}
        status, answer = send(options["url"].rstrip("/") + "/api/devices/detections", body, headers)
        self.stdout.write(f"{status} {answer.decode('utf-8', 'replace')}")
        if status >= 400:
            sys.exit(1)
