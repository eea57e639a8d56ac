"""Configuration read from the environment, with a secret key kept in the data directory."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SECRET_KEY_FILE = "secret_key"


def data_dir_from_env() -> Path:
    """The data directory: EWARUNG_DATA_DIR, or ./ewarung-data."""
    return Path(os.environ.get("EWARUNG_DATA_DIR", "ewarung-data")).resolve()


def load_or_create_secret_key(data_dir: Path) -> str:
    """Return the key stored in the data dir, creating it owner-only on first use."""
    path = data_dir / SECRET_KEY_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32)
    # O_EXCL makes two processes starting at once agree on one key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key


@dataclass
class Config:
    """Settings of one running shop; `from_env` reads the documented variables."""

    data_dir: Path
    database_url: str
    secret_key: str
    printer: str = "none"
    printer_profile: str = "TM-T20II"
    testing: bool = False
    #: argon2 cost profile: "default" in production, "cheap" only for tests
    hash_profile: str = "default"
    #: where the secret key came from (the variable or the key file), for messages
    secret_key_source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, overrides: dict[str, Any] | None = None) -> Config:
        """Build the configuration from EWARUNG_* variables, then apply overrides."""
        overrides = dict(overrides or {})
        data_dir = Path(overrides.pop("data_dir", None) or data_dir_from_env()).resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        url = overrides.pop("database_url", None) or os.environ.get("EWARUNG_DATABASE_URL")
        if not url:
            url = f"sqlite:///{data_dir / 'ewarung.sqlite3'}"
        key, source = overrides.pop("secret_key", None), "konfigurasi"
        if not key and os.environ.get("EWARUNG_SECRET_KEY"):
            key, source = os.environ["EWARUNG_SECRET_KEY"], "EWARUNG_SECRET_KEY"
        if not key:
            key, source = load_or_create_secret_key(data_dir), str(data_dir / SECRET_KEY_FILE)
        return cls(
            data_dir=data_dir,
            database_url=url,
            secret_key=key,
            printer=overrides.pop("printer", None) or os.environ.get("EWARUNG_PRINTER", "none"),
            printer_profile=overrides.pop("printer_profile", None)
            or os.environ.get("EWARUNG_PRINTER_PROFILE", "TM-T20II"),
            testing=bool(overrides.pop("testing", False)),
            hash_profile=overrides.pop("hash_profile", "default"),
            secret_key_source=source,
            extra=overrides,
        )
