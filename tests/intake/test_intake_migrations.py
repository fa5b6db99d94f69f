"""Alembic migrations: upgrade from nothing, the models agree with them, downgrade works."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from intake import migrate
from intake.models import Base


def test_upgrade_matches_models_and_downgrades(db_url):
    # db_url is already at head (the fixtures call intake.migrate.upgrade)
    assert migrate.current_revision(db_url) == migrate.head_revision()
    engine = create_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    migrate.downgrade(db_url, "base")
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    migrate.upgrade(db_url)
    assert {"dsar_requests", "audit_events", "outbox"} <= set(inspect(engine).get_table_names())
    engine.dispose()
