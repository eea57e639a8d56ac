"""Alembic environment: runs on the connection the caller hands over."""

from alembic import context

from ewarung.db import Base
from ewarung.domains import load_models

load_models()  # every model on the metadata
config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
