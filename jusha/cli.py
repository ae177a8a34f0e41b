"""`jusha`: Django's management commands, plus Jusha's own (demo, serve, worker, createadmin)."""

import os
import secrets
import sys
from pathlib import Path


def _demo_environment() -> None:
    """`jusha demo` is for trying Jusha on one machine: development mode with a generated secret."""
    os.environ.setdefault("DEBUG", "true")
    if not os.environ.get("SECRET_KEY") and not os.environ.get("SECRET_KEY_FILE"):
        data_dir = Path(os.environ.get("JUSHA_DATA_DIR", Path(__file__).resolve().parent.parent / "var"))
        data_dir.mkdir(parents=True, exist_ok=True)
        key_file = data_dir / "demo_secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50))
            key_file.chmod(0o600)
        os.environ["SECRET_KEY_FILE"] = str(key_file)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == "demo":
        _demo_environment()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jusha.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
