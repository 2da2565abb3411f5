"""Where shangmi keeps its data and how it reads its secrets.

Every command honours SHANGMI_DATA_DIR; secrets come only from the environment or from files outside
the repository (by default inside the data directory, created with mode 0600 on first use).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    configured = os.environ.get("SHANGMI_DATA_DIR")
    path = Path(configured).expanduser() if configured else PROJECT_ROOT / "var"
    return path.resolve()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def secret_from_env_or_file(env_name: str, default_file: Path, nbytes: int = 50) -> str:
    """Return the secret named by `env_name`, or by the file `<env_name>_FILE`, or from `default_file`.

    The default file is generated on first use with mode 0600 so the trial needs no configuration.
    """
    if value := os.environ.get(env_name):
        return value
    file_name = os.environ.get(f"{env_name}_FILE")
    path = Path(file_name) if file_name else default_file
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    if file_name:
        raise RuntimeError(f"{env_name}_FILE names {path}, which does not exist")
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value
