"""submit drafts

A /submit flow's gathered files and notes move from the process's memory into the store
(``knowledge.models.evidence.SubmitDraft``), so a restart between "已收到" and 提交 loses nothing.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 13:10:00
"""

from alembic import op
import sqlalchemy as sa
import knowledge.models.types
import sqlmodel

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'submitdraft',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('user_id', knowledge.models.types.ExternalId(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('chat_id', knowledge.models.types.ExternalId(), nullable=False),
        sa.Column('indicator_no', sa.Integer(), nullable=False),
        sa.Column('item_no', sa.Integer(), nullable=True),
        sa.Column('files', sa.JSON(), nullable=True),
        sa.Column('notes', sa.JSON(), nullable=True),
        sa.Column('updated_at', knowledge.models.types.AwareDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('channel', 'user_id'),
    )


def downgrade() -> None:
    op.drop_table('submitdraft')
