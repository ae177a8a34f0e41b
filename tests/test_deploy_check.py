"""`manage.py check --deploy` passes, warnings included, with a production-like environment.

This is what README's deployment section runs; a warning here is a setting a real deployment would
get wrong, so the test fails on warnings too (--fail-level WARNING).
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Variables that would make the subprocess something other than a plain production start-up.
NOT_IN_PRODUCTION = ("DEBUG", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY_FILE", "JUSHA_SSL_REDIRECT",
                     "JUSHA_SECURE_COOKIES", "JUSHA_HSTS_SECONDS", "JUSHA_BEHIND_TLS_PROXY", "JUSHA_STATIC_ROOT",
                     "JUSHA_MEDIA_ROOT", "CSRF_TRUSTED_ORIGINS", "DJANGO_ALLOW_ASYNC_UNSAFE")


def production_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NOT_IN_PRODUCTION}
    # token_urlsafe(50): 67 characters from a 64-symbol alphabet (W009 wants ≥ 50 and ≥ 5 distinct).
    env.update(SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="jusha.example.gov.cn",
               JUSHA_DATA_DIR=str(tmp_path))
    return env


@pytest.mark.parametrize("extra", [{}, {"JUSHA_BEHIND_TLS_PROXY": "true"}], ids=["direct", "behind-tls-proxy"])
def test_check_deploy_passes_with_production_settings(tmp_path, extra):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env={**production_env(tmp_path), **extra}, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, f"check --deploy failed:\n{result.stdout}\n{result.stderr}"
    assert "no issues" in result.stdout + result.stderr
