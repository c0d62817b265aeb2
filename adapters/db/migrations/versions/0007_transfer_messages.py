"""Transfer messages with buttons, kept in the database so a restart does not forget which to edit

Revision ID: 0007_transfer_messages
Revises: 0006_movement_reference
Create Date: 2026-11-22 23:40:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0007_transfer_messages'
down_revision = '0006_movement_reference'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('transfer_message',
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('transfer_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('lang', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfer.id'], ),
    sa.PrimaryKeyConstraint('transfer_id', 'chat_id', 'message_id')
    )


def downgrade() -> None:
    op.drop_table('transfer_message')
