"""What a fresh machine does first: create the database where the settings say, migrated."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from adapters.settings import Settings
from main import build_database


def test_a_fresh_sqlite_database_is_created_in_a_folder_that_does_not_exist_yet(tmp_path: Path) -> None:
    target = tmp_path / "data" / "nested" / "retail.db"

    database = build_database(Settings(database_url=f"sqlite:///{target}", _env_file=None))
    try:
        tables = set(inspect(database.writer).get_table_names())
    finally:
        database.dispose()

    assert target.exists()
    assert {"stock_movement", "stock_position", "outbox_message", "alembic_version"} <= tables


def test_the_migrations_build_the_schema_the_tables_describe(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    database = build_database(Settings(database_url=f"sqlite:///{tmp_path / 'retail.db'}", _env_file=None))
    try:
        with database.writer.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    finally:
        database.dispose()

    assert differences == []


def test_the_replenishment_policy_comes_from_the_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from main import policy_config

    monkeypatch.setenv("REPLENISH_MIN_TRANSFER_VALUE", "30")
    monkeypatch.setenv("REPLENISH_SERVICE_LEVELS", '{"A": 0.99, "B": 0.95, "C": 0.9}')
    monkeypatch.setenv("REPLENISH_CENTRAL_STOCK_DAYS", "56")

    policy = policy_config(Settings(_env_file=None))

    assert policy.min_transfer_value == 30
    assert policy.service_levels == {"A": 0.99, "B": 0.95, "C": 0.9}
    assert policy.central_stock_days == 56


def test_a_service_level_for_each_class_is_required(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("REPLENISH_SERVICE_LEVELS", '{"A": 0.99, "B": 0.95}')

    with pytest.raises(ValueError, match="REPLENISH_SERVICE_LEVELS"):
        Settings(_env_file=None)
