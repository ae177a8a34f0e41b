"""Settings for the test suite: the production module with DEBUG-free, deterministic overrides."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "jusha-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("JUSHA_SSL_REDIRECT", "false")
os.environ.setdefault("JUSHA_SECURE_COOKIES", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from jusha.settings import *  # noqa: E402,F403
from jusha.settings import DATA_DIR, STORAGES  # noqa: E402

# A file, not SQLite's shared in-memory database: concurrency tests run real threads, which need
# WAL, busy_timeout and IMMEDIATE transactions (see settings) rather than shared-cache table locks.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"jusha-test-{os.getpid()}.sqlite3")}  # noqa: F405

# The manifest needs collectstatic; tests serve static files straight from the apps.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = DATA_DIR / "test-media"
STATIC_ROOT = DATA_DIR / "test-static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Tests bulk-load places and look them up at once; production re-checks every few seconds.
JUSHA_PLACES_RECHECK_SECONDS = 0
JUSHA_CALENDAR_RECHECK_SECONDS = 0
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
