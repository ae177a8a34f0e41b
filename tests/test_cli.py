"""The `jusha` console script, run as a deployment runs it: a subprocess with its own environment."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
JUSHA = Path(sys.executable).parent / "jusha"
ADMIN_PASSWORD = "a-long-admin-password-2026"


def env_for(tmp_path: Path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY_FILE",
                        "JUSHA_ADMIN_PASSWORD", "JUSHA_ADMIN_USERNAME", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="jusha.example.gov.cn",
               DATABASE_URL=f"sqlite:///{tmp_path / 'jusha.sqlite3'}", JUSHA_DATA_DIR=str(tmp_path), **extra)
    return env


def jusha(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    assert JUSHA.exists(), f"{JUSHA} is missing: pip install -e . (scripts/setup) creates the console script"
    result = subprocess.run([str(JUSHA), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    if check:
        assert result.returncode == 0, f"jusha {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A fresh SQLite database with every migration applied, and the environment that points at it."""
    tmp_path = tmp_path_factory.mktemp("cli")
    env = env_for(tmp_path)
    jusha("migrate", "--noinput", "-v0", env=env)
    return env


def people(env) -> dict:
    script = ("import json; from jusha.accounts.models import User; print(json.dumps({u.username: {"
              "'superuser': u.is_superuser, 'staff': u.is_staff, "
              f"'password_ok': u.check_password({ADMIN_PASSWORD!r}), "
              "'roles': [a.role for a in u.role_assignments.all()]} for u in User.objects.all()}))")
    return json.loads(jusha("shell", "-c", script, env=env).stdout.strip().splitlines()[-1])


def test_help_lists_jushas_commands(tmp_path):
    out = jusha("--help", env=env_for(tmp_path)).stdout
    commands = {line.strip() for line in out.splitlines() if line.startswith("    ")}
    assert {"demo", "serve", "worker", "createadmin"} <= commands, out
    assert {"migrate", "check", "collectstatic"} <= commands  # and Django's own


def test_createadmin_reads_the_password_from_the_environment(migrated):
    result = jusha("createadmin", "--username", "x", "--password-from-env",
                   env={**migrated, "JUSHA_ADMIN_PASSWORD": ADMIN_PASSWORD})
    assert "x" in result.stdout
    admin = people(migrated)["x"]
    assert admin == {"superuser": True, "staff": True, "password_ok": True, "roles": ["administrator"]}


def test_createadmin_refuses_a_short_password_and_an_existing_username(migrated):
    short = jusha("createadmin", "--username", "y", "--password-from-env",
                  env={**migrated, "JUSHA_ADMIN_PASSWORD": "short"}, check=False)
    assert short.returncode != 0
    assert "y" not in people(migrated)
    jusha("createadmin", "--username", "z", "--password-from-env",
          env={**migrated, "JUSHA_ADMIN_PASSWORD": ADMIN_PASSWORD})
    again = jusha("createadmin", "--username", "z", "--password-from-env",
                  env={**migrated, "JUSHA_ADMIN_PASSWORD": ADMIN_PASSWORD}, check=False)
    assert again.returncode != 0
