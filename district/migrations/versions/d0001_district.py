"""the district: outlets, the idempotency ledger, events partitioned by month

Revision ID: d0001_district
Revises:
Create Date: 2026-12-03 14:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ewarung.db

revision: str = 'd0001_district'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('district_outlets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kecamatan', sa.String(length=80), nullable=False),
    sa.Column('desa', sa.String(length=80), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('revoked_at', ewarung.db.UtcDateTime(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('last_push_at', ewarung.db.UtcDateTime(), nullable=True),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.Column('clock_skew_s', sa.Integer(), nullable=True),
    sa.Column('created_at', ewarung.db.UtcDateTime(), nullable=False),
    sa.CheckConstraint("status IN ('ok', 'rewound')", name=op.f('ck_district_outlets_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_district_outlets')),
    sa.UniqueConstraint('code', name=op.f('uq_district_outlets_code')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_district_outlets_key_hash'))
    )
    op.create_table('district_ledger',
    sa.Column('outlet_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('received_at', ewarung.db.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['outlet_id'], ['district_outlets.id'],
                            name=op.f('fk_district_ledger_outlet_id_district_outlets')),
    sa.PrimaryKeyConstraint('outlet_id', 'seq', name=op.f('pk_district_ledger'))
    )
    # Partitions (one per month) are created on demand by district.services.
    op.create_table('district_events',
    sa.Column('outlet_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('occurred_at', ewarung.db.UtcDateTime(), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('schema_version', sa.Integer(), nullable=False),
    sa.Column('payload', ewarung.db.JsonDoc, nullable=False),
    sa.Column('known_kind', sa.Boolean(), nullable=False),
    sa.Column('received_at', ewarung.db.UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('outlet_id', 'seq', 'occurred_at', name=op.f('pk_district_events')),
    postgresql_partition_by='RANGE (occurred_at)'
    )
    op.create_index('ix_district_events_occurred_at', 'district_events', ['occurred_at'],
                    unique=False, postgresql_using='brin')


def downgrade() -> None:
    op.drop_index('ix_district_events_occurred_at', table_name='district_events',
                  postgresql_using='brin')
    op.drop_table('district_events')
    op.drop_table('district_ledger')
    op.drop_table('district_outlets')
