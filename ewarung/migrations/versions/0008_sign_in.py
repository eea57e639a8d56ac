"""browser sessions kept on the server, counts of wrong credentials per key

The users' own failure count and lock move to sign_in_limits (see ewarung.auth.limits).
The two columns are dropped with SQLite's own ALTER TABLE ... DROP COLUMN (3.35 and
later): rebuilding the users table in batch mode would break every foreign key to it.

Revision ID: 0008_sign_in
Revises: 0007_installation
Create Date: 2026-12-02 14:59:58.886359
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ewarung.db

revision: str = '0008_sign_in'
down_revision: str | Sequence[str] | None = '0007_installation'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sign_in_limits',
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('locked_until', ewarung.db.UtcDateTime(), nullable=True),
    sa.Column('last_success_at', ewarung.db.UtcDateTime(), nullable=True),
    sa.CheckConstraint('failures >= 0 AND level >= 0', name=op.f('ck_sign_in_limits_counts')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_in_limits_user_id_users')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_limits'))
    )
    with op.batch_alter_table('sign_in_limits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_limits_user_id'), ['user_id'], unique=False)

    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', ewarung.db.UtcDateTime(), nullable=False),
    sa.Column('expires_at', ewarung.db.UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)

    op.drop_column('users', 'failed_attempts')
    op.drop_column('users', 'locked_until')


def downgrade() -> None:
    op.add_column('users', sa.Column('locked_until', ewarung.db.UtcDateTime(), nullable=True))
    op.add_column('users', sa.Column('failed_attempts', sa.Integer(), nullable=False,
                                     server_default='0'))

    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
        batch_op.drop_index(batch_op.f('ix_user_sessions_expires_at'))

    op.drop_table('user_sessions')
    with op.batch_alter_table('sign_in_limits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_limits_user_id'))

    op.drop_table('sign_in_limits')
