"""What a domain shows the shell: its face, one `Domain` in the package's `__init__.py`.

The shell (`ewarung`) knows no domain by itself: `ewarung/domains.py` lists them once, and
the app factory, the command line, the demo, the migrations, the translations and the
logs all take them from that list. A domain's face names what it plugs in, each part
loaded only when it is needed (a command line start does not import every page):

- `init_app(app)`: register blueprints, template globals, hooks of `ewarung serve`;
- `commands(cli)`: add the domain's commands to the `ewarung` command line;
- `demo(session) -> lines`: add the domain's part of the demo shop (in list order);
- `models()`: import the domain's models, so the metadata (and Alembic) sees them;
- `problems(session) -> sentences`: what in its data does not hold together (a restore and
  `ewarung doctor` run them);
- `doctor(checkup)`: its own check of `ewarung doctor` (adds to `checkup.problems`/`fine`);
- `last_recorded(session)`: the newest moment it recorded (the doctor's clock check).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import click
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Domain:
    """A domain package as the shell sees it."""

    #: the package's name (`inventory`): its translations, its logger, its templates folder
    name: str
    init_app: Callable[[Any], None] | None = None
    commands: Callable[[click.Group], None] | None = None
    demo: Callable[[Session], list[str]] | None = None
    models: Callable[[], object] | None = None
    problems: Callable[[Session], list[str]] | None = None
    doctor: Callable[[Any], None] | None = None
    last_recorded: Callable[[Session], datetime | None] | None = None
