"""print queue: rendered jobs for the receipt printer

Revision ID: 0004_printer
Revises: 0003_beneficiaries
Create Date: 2026-11-26 05:47:20.027356
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import ewarung.db

revision: str = '0004_printer'
down_revision: str | Sequence[str] | None = '0003_beneficiaries'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('print_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('target', sa.String(length=300), nullable=False),
    sa.Column('profile', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('font', sa.String(length=1), nullable=False),
    sa.Column('sale_id', sa.Integer(), nullable=True),
    sa.Column('reprint_of', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('not_before', ewarung.db.UtcDateTime(), nullable=False),
    sa.Column('expires_at', ewarung.db.UtcDateTime(), nullable=True),
    sa.Column('created_at', ewarung.db.UtcDateTime(), nullable=False),
    sa.Column('printed_at', ewarung.db.UtcDateTime(), nullable=True),
    sa.CheckConstraint("kind IN ('receipt', 'test', 'report', 'drawer')", name=op.f('ck_print_jobs_kind')),
    sa.CheckConstraint("state IN ('queued', 'printing', 'done', 'failed', 'dropped')", name=op.f('ck_print_jobs_state')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_print_jobs_attempts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_print_jobs'))
    )
    with op.batch_alter_table('print_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_print_jobs_sale_id'), ['sale_id'], unique=False)
        batch_op.create_index('ix_print_jobs_state_not_before', ['state', 'not_before'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('print_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_print_jobs_state_not_before')
        batch_op.drop_index(batch_op.f('ix_print_jobs_sale_id'))

    op.drop_table('print_jobs')
