"""The tests' own PostgreSQL and Redis (tests/services.py): missing binaries are a failure that says
what to install, never a quiet skip."""

from __future__ import annotations

import pytest

from tests import services


def test_missing_postgresql_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.delenv("SM_TEST_PG_BIN", raising=False)
    with pytest.raises(services.ServiceMissing, match="apt-get install postgresql redis-server"):
        services.postgres_bin_dir(root=tmp_path)


def test_missing_redis_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("SM_TEST_REDIS_SERVER", str(tmp_path / "no-redis-server"))
    with pytest.raises(services.ServiceMissing, match="apt-get install postgresql redis-server"):
        services.redis_server_binary()


def test_own_instances_answer_on_loopback(postgres_server, redis_server):
    from sqlalchemy import create_engine, text

    engine = create_engine(postgres_server.url)
    with engine.connect() as c:
        assert c.execute(text("SHOW listen_addresses")).scalar_one() == "127.0.0.1"
        assert c.execute(text("SHOW fsync")).scalar_one() == "off"
    engine.dispose()
    assert redis_server.client().ping()
    assert redis_server.client().config_get("save") == {"save": ""}
