"""Supplier offers say whether the supplier delivers to each store itself (direct store delivery)

Revision ID: 0008_direct_store_delivery
Revises: 0007_transfer_messages
Create Date: 2026-11-23 03:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_direct_store_delivery'
down_revision = '0007_transfer_messages'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A server default, so existing offers keep going through the warehouses.
    with op.batch_alter_table('supplier_item') as batch:
        batch.add_column(sa.Column('direct_to_store', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('supplier_item') as batch:
        batch.drop_column('direct_to_store')
