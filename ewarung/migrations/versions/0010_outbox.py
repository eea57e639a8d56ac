"""the outlet's outbox for the district (outbox_events, outbox_counter, sync_state)

Every fact's event numbered without gaps in the fact's own transaction, and where and how
this outlet pushes them; see ewarung.outbox and district.sync.

Revision ID: 0010_outbox
Revises: 0009_closed_months
Create Date: 2026-12-03 14:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ewarung.db

revision: str = '0010_outbox'
down_revision: str | Sequence[str] | None = '0009_closed_months'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('outbox_counter',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_counter'))
    )
    op.create_table('outbox_events',
    sa.Column('seq', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('schema_version', sa.Integer(), nullable=False),
    sa.Column('occurred_at', ewarung.db.UtcDateTime(), nullable=False),
    sa.Column('payload', ewarung.db.JsonDoc, nullable=False),
    sa.Column('pushed_at', ewarung.db.UtcDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_outbox_events')),
    sa.UniqueConstraint('event_id', name=op.f('uq_outbox_events_event_id'))
    )
    op.create_index('ix_outbox_events_pending', 'outbox_events', ['pushed_at', 'seq'],
                    unique=False)
    op.create_table('sync_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('district_url', sa.String(length=300), nullable=False),
    sa.Column('outlet_key', sa.String(length=200), nullable=False),
    sa.Column('outlet_code', sa.String(length=40), nullable=False),
    sa.Column('ca_bundle', sa.String(length=500), nullable=True),
    sa.Column('allow_http', sa.Boolean(), nullable=False),
    sa.Column('joined_at', ewarung.db.UtcDateTime(), nullable=False),
    sa.Column('held_through', sa.BigInteger(), nullable=False),
    sa.Column('last_success_at', ewarung.db.UtcDateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_at', ewarung.db.UtcDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_state'))
    )


def downgrade() -> None:
    op.drop_table('sync_state')
    op.drop_index('ix_outbox_events_pending', table_name='outbox_events')
    op.drop_table('outbox_events')
    op.drop_table('outbox_counter')
