"""installation: the secret key's fingerprint and the last backup (not shop data)

Revision ID: 0007_installation
Revises: 0006_sales
Create Date: 2026-12-02 14:38:01.994522
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ewarung.db

revision: str = '0007_installation'
down_revision: str | Sequence[str] | None = '0006_sales'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('installation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('key_since', ewarung.db.UtcDateTime(), nullable=False),
    sa.Column('last_backup_at', ewarung.db.UtcDateTime(), nullable=True),
    sa.Column('last_backup_file', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_installation'))
    )


def downgrade() -> None:
    op.drop_table('installation')
