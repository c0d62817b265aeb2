"""Drop the index on stock_movement.reference: no query uses it, and every ledger line paid for it

Revision ID: 0006_movement_reference
Revises: 0005_replenishment
Create Date: 2026-11-22 23:15:00
"""
from alembic import op


revision = '0006_movement_reference'
down_revision = '0005_replenishment'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Not in batch mode: on SQLite that could copy the whole ledger table to drop one index.
    op.drop_index('ix_stock_movement_reference', table_name='stock_movement')


def downgrade() -> None:
    op.create_index('ix_stock_movement_reference', 'stock_movement', ['reference'], unique=False)
