"""inbox and outbox

Two new tables, nothing else changes: ``inboxupdate`` holds every incoming update before it is
acknowledged, ``outboxmessage`` every message the bot must deliver, per chat (see
``knowledge.models.delivery``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 12:00:00
"""

from alembic import op
import sqlalchemy as sa
import knowledge.models.types
import sqlmodel

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'inboxupdate',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('update_id', sa.BigInteger(), nullable=False),
        sa.Column('raw', sa.JSON(), nullable=True),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('received_at', knowledge.models.types.AwareDateTime(), nullable=False),
        sa.Column('done_at', knowledge.models.types.AwareDateTime(), nullable=True),
        sa.Column('error', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('channel', 'update_id'),
    )
    op.create_index('ix_inbox_status', 'inboxupdate', ['status', 'id'], unique=False)
    op.create_table(
        'outboxmessage',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=True),
        sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('target', knowledge.models.types.ExternalId(), nullable=False),
        sa.Column('private', sa.Boolean(), nullable=False),
        sa.Column('message', sa.JSON(), nullable=True),
        sa.Column('reply_to', sa.BigInteger(), nullable=True),
        sa.Column('image', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_at', knowledge.models.types.AwareDateTime(), nullable=False),
        sa.Column('created_at', knowledge.models.types.AwareDateTime(), nullable=False),
        sa.Column('claimed_at', knowledge.models.types.AwareDateTime(), nullable=True),
        sa.Column('sent_at', knowledge.models.types.AwareDateTime(), nullable=True),
        sa.Column('sent_ids', sa.JSON(), nullable=True),
        sa.Column('fallback', sa.JSON(), nullable=True),
        sa.Column('error', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
    )
    op.create_index('ix_outbox_due', 'outboxmessage', ['status', 'next_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_outbox_due', table_name='outboxmessage')
    op.drop_table('outboxmessage')
    op.drop_index('ix_inbox_status', table_name='inboxupdate')
    op.drop_table('inboxupdate')
