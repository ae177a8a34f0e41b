"""How a device signs a push, and how the server checks it: one function for both (docs/devices.md).

The signature is the hex HMAC-SHA256, keyed with the device's secret, of `timestamp + "." + raw body`,
where the timestamp is the Unix time in whole seconds that is also sent as `X-Jusha-Timestamp`. Signing
the timestamp with the body means an old request cannot be made fresh again by changing its header.
"""

import hashlib
import hmac


def sign(secret: str, timestamp: str | int, body: bytes) -> str:
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def matches(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Whether `signature` is right, compared in constant time so its prefix cannot be guessed byte by byte."""
    return hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.strip().lower().encode())
