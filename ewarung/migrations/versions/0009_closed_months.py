"""a closed month's report kept as it was signed (closed_months)

The report's data as JSON text and its files (PDF, XLSX, CSV, HTML) as made when the manager
closed the month; see kube.report.closing.

Revision ID: 0009_closed_months
Revises: 0008_sign_in
Create Date: 2026-12-03 07:27:34.856914
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ewarung.db

revision: str = '0009_closed_months'
down_revision: str | Sequence[str] | None = '0008_sign_in'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('closed_months',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('closed_at', ewarung.db.UtcDateTime(), nullable=False),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.Column('ketua', sa.String(length=120), nullable=False),
    sa.Column('bendahara', sa.String(length=120), nullable=False),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('xlsx', sa.LargeBinary(), nullable=False),
    sa.Column('csv', sa.LargeBinary(), nullable=False),
    sa.Column('html', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['closed_by'], ['users.id'], name=op.f('fk_closed_months_closed_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closed_months')),
    sa.UniqueConstraint('month', name=op.f('uq_closed_months_month'))
    )


def downgrade() -> None:
    op.drop_table('closed_months')
