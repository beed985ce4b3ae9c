"""conversation state

What the DingTalk face showed and waits for (numbered choices, cards, a reviewer's prompt, a
registration in progress) moves from the process's memory into the store
(``knowledge.models.conversation.ConversationState``), so a restart forgets none of it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 21:05:00
"""

from alembic import op
import sqlalchemy as sa
import knowledge.models.types
import sqlmodel

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'conversationstate',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('chat_id', knowledge.models.types.ExternalId(), nullable=False),
        sa.Column('user_id', knowledge.models.types.ExternalId(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('value', sa.JSON(), nullable=True),
        sa.Column('created_at', knowledge.models.types.AwareDateTime(), nullable=False),
        sa.Column('expires_at', knowledge.models.types.AwareDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('channel', 'chat_id', 'user_id', 'name'),
    )
    op.create_index('ix_conversationstate_name', 'conversationstate', ['channel', 'name'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_conversationstate_name', table_name='conversationstate')
    op.drop_table('conversationstate')
