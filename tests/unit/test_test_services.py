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


def test_missing_nginx_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("SM_NGINX", str(tmp_path / "no-nginx"))
    with pytest.raises(services.ServiceMissing, match="apt-get install nginx"):
        services.nginx_binary()


def test_the_nginx_site_balances_without_sticky_sessions_and_fails_over():
    site = services.nginx_site(
        "127.0.0.1:5005", ["10.0.0.1:5005", "10.0.0.2:5005"], "127.0.0.1:5055", ["10.0.0.3:5055"]
    )
    assert "upstream privacy_bot_rasa {" in site and "upstream privacy_bot_actions {" in site
    assert "server 10.0.0.1:5005 max_fails=1" in site and "server 10.0.0.2:5005 max_fails=1" in site
    assert site.count("proxy_next_upstream error timeout;") == 2
    assert "non_idempotent" not in site, "a message that reached a server is never sent to a second one"
    assert "ip_hash" not in site and "hash " not in site and "sticky" not in site
    assert site.count("proxy_max_temp_file_size 0;") == 2, "bodies are never written to nginx's temp files"


def test_server_counts_are_checked():
    from launcher.processes import StartupError
    from launcher.scaled import server_count

    assert server_count({}, "RASA_SERVERS") == 2
    assert server_count({"RASA_SERVERS": "3"}, "RASA_SERVERS") == 3
    for bad in ("0", "two", "-1", "17"):
        with pytest.raises(StartupError, match="RASA_SERVERS must be a whole number from 1 to 16"):
            server_count({"RASA_SERVERS": bad}, "RASA_SERVERS")
