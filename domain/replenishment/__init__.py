"""Replenishment policy: safety stock, reorder points, transfer-first sourcing, simulation."""
