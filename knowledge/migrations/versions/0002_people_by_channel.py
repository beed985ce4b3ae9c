"""people and chats by channel and external id

Officers and chats were keyed by Telegram integers; they become a channel ("telegram" for
every existing row) and an id on that channel kept as text, so a second channel (DingTalk
staff ids are not numbers) needs no schema change. The other columns that held a Telegram
user id (who bound, decided, reviewed, entered, paused, acknowledged; the audit actor) become
text the same way. Uniqueness is (campaign, channel, external id) for officers and
(channel, external id) for chats.

SQLite alters by copying each table (batch mode; ``knowledge.migrate`` turns foreign keys off
around it); PostgreSQL alters in place with ``USING col::text``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 09:00:00
"""

from alembic import op
import sqlalchemy as sa
import knowledge.models.types
import sqlmodel

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# Names for the constraints 0001 left unnamed, so SQLite's batch copy can find and drop them.
CONVENTION = {"uq": "uq_%(table_name)s_%(column_0_name)s"}

# (table, column) pairs that held a Telegram user id and now hold text.
WHO = [("auditlog", "actor_user_id"), ("campaignstate", "paused_by"), ("chat", "bound_by"),
       ("evidence", "submitter_user_id"), ("evidence", "reviewer_user_id"), ("figure", "entered_by"),
       ("indicatordue", "set_by"), ("officer", "decided_by"), ("reminderack", "user_id")]


def _unique_name(table: str, columns: list[str]) -> str:
    """The name of the unique constraint on ``columns``: PostgreSQL's own, or the convention's."""
    for uc in sa.inspect(op.get_bind()).get_unique_constraints(table):
        if uc["column_names"] == columns and uc["name"]:
            return uc["name"]
    return CONVENTION["uq"] % {"table_name": table, "column_0_name": columns[0]}


def _to_text(batch_op, column: str, new_name: str | None = None, nullable: bool = True) -> None:
    batch_op.alter_column(column, new_column_name=new_name, existing_type=sa.BigInteger(),
                          type_=knowledge.models.types.ExternalId(), existing_nullable=nullable,
                          postgresql_using=f"{column}::text")


def _channel_column() -> sa.Column:
    return sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default='telegram')


def upgrade() -> None:
    officer_unique = _unique_name('officer', ['campaign_id', 'user_id'])
    chat_unique = _unique_name('chat', ['chat_id'])
    with op.batch_alter_table('officer', naming_convention=CONVENTION) as batch_op:
        batch_op.drop_index('ix_officer_user_id')
        batch_op.drop_constraint(officer_unique, type_='unique')
    with op.batch_alter_table('officer') as batch_op:
        batch_op.add_column(_channel_column())
        _to_text(batch_op, 'user_id', 'external_id')
    with op.batch_alter_table('officer') as batch_op:
        batch_op.create_index('ix_officer_external_id', ['external_id'], unique=False)
        batch_op.create_unique_constraint('uq_officer_campaign_id_channel_external_id',
                                          ['campaign_id', 'channel', 'external_id'])

    with op.batch_alter_table('chat', naming_convention=CONVENTION) as batch_op:
        batch_op.drop_constraint(chat_unique, type_='unique')
    with op.batch_alter_table('chat') as batch_op:
        batch_op.add_column(_channel_column())
        _to_text(batch_op, 'chat_id', 'external_id', nullable=False)
    with op.batch_alter_table('chat') as batch_op:
        batch_op.create_unique_constraint('uq_chat_channel_external_id', ['channel', 'external_id'])

    for table in dict.fromkeys(t for t, _ in WHO):
        with op.batch_alter_table(table) as batch_op:
            for _, column in (w for w in WHO if w[0] == table):
                _to_text(batch_op, column)


def _to_number(batch_op, column: str, new_name: str | None = None, nullable: bool = True) -> None:
    batch_op.alter_column(column, new_column_name=new_name, existing_type=knowledge.models.types.ExternalId(),
                          type_=sa.BigInteger(), existing_nullable=nullable,
                          postgresql_using=f"{column}::bigint")


def downgrade() -> None:
    """Back to Telegram integers; refuses while a row of another channel exists."""
    bind = op.get_bind()
    for table in ('officer', 'chat'):
        if bind.execute(sa.text(f"select count(*) from {table} where channel <> 'telegram'")).scalar():
            raise RuntimeError(f"{table} holds rows of a channel other than Telegram; cannot downgrade")
    for table in dict.fromkeys(t for t, _ in WHO):
        with op.batch_alter_table(table) as batch_op:
            for _, column in (w for w in WHO if w[0] == table):
                _to_number(batch_op, column)
    with op.batch_alter_table('chat') as batch_op:
        batch_op.drop_constraint('uq_chat_channel_external_id', type_='unique')
    with op.batch_alter_table('chat') as batch_op:
        batch_op.drop_column('channel')
        _to_number(batch_op, 'external_id', 'chat_id', nullable=False)
    with op.batch_alter_table('chat') as batch_op:
        batch_op.create_unique_constraint('uq_chat_chat_id', ['chat_id'])
    with op.batch_alter_table('officer') as batch_op:
        batch_op.drop_constraint('uq_officer_campaign_id_channel_external_id', type_='unique')
        batch_op.drop_index('ix_officer_external_id')
    with op.batch_alter_table('officer') as batch_op:
        batch_op.drop_column('channel')
        _to_number(batch_op, 'external_id', 'user_id')
    with op.batch_alter_table('officer') as batch_op:
        batch_op.create_index('ix_officer_user_id', ['user_id'], unique=False)
        batch_op.create_unique_constraint('uq_officer_campaign_id', ['campaign_id', 'user_id'])
