"""Demand forecasting over the chain's daily sales (see `frames` for the input contract)."""
