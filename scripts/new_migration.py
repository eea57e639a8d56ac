"""Generate a migration from the models: python scripts/new_migration.py 0002_inventory "message".

Autogenerates against a throw-away SQLite database upgraded to the current head; read and
tidy the result (it is a draft), then run the tests on both databases.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from ewarung.db import Database
from ewarung.migrate import alembic_config, upgrade


def main() -> None:
    rev_id, message = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'draft.sqlite3'}")
        upgrade(db.engine)
        cfg = alembic_config()
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.revision(cfg, message, autogenerate=True, rev_id=rev_id)
        db.dispose()


if __name__ == "__main__":
    main()
