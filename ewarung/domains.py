"""The shop's domains, listed once, in the order they build on each other.

This module is the composition root: the one place in the shell that names a domain. The
app factory registers each domain's pages and API from this list, the command line its
commands, the demo its data (in this order), the migrations its models, and the
translations and logs take their package names from it. A new domain is a package with a
`DOMAIN` face (see `ewarung.domain`) and one entry here.
"""

from __future__ import annotations

import aid
import district
import inventory
import kube
import pos
import printer
from ewarung.domain import Domain

DOMAINS: tuple[Domain, ...] = (
    inventory.DOMAIN, aid.DOMAIN, printer.DOMAIN, pos.DOMAIN, kube.DOMAIN, district.DOMAIN,
)

#: every package of the shop: the shell, then the domains (catalogues, loggers)
PACKAGES: tuple[str, ...] = ("ewarung", *(d.name for d in DOMAINS))


def load_models() -> None:
    """Import every domain's models, so the metadata (and Alembic) sees them all."""
    import ewarung.models  # noqa: F401  (the shell's own)

    for domain in DOMAINS:
        if domain.models is not None:
            domain.models()
