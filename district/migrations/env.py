"""Alembic environment of the district's tables: their own metadata and version table."""

from alembic import context

from district.migrate import VERSION_TABLE
from district.models import DistrictBase

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=DistrictBase.metadata,
    version_table=VERSION_TABLE,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
