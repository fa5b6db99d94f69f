"""Configuration from environment variables, and the production gunicorn settings."""

import importlib
import logging

from intake import config, create_app


def test_defaults_are_safe_for_a_local_run():
    cfg = config.load_config({})
    assert cfg["DATABASE_URL"] == "sqlite:///" + str(config.REPO_ROOT / "var" / "intake.sqlite3")
    assert cfg["INTAKE_PUBLIC_URL"] == "http://127.0.0.1:5100"
    assert cfg["TEAM_EMAIL"] == cfg["HANDOFF_EMAIL"] == "sales@sessionmusic.co.uk"
    assert (cfg["SMTP_HOST"], cfg["SMTP_PORT"], cfg["SMTP_STARTTLS"]) == ("127.0.0.1", 1025, False)
    assert cfg["MAIL_DIR"] == str(config.REPO_ROOT / "var" / "mail")
    assert cfg["RATELIMIT_STORAGE_URI"] == "memory://"
    assert cfg["VERIFICATION_TTL_SECONDS"] == 24 * 3600
    # no built-in secrets: create_app refuses to start without them outside development mode
    assert cfg["INTAKE_API_SECRET"] is None and cfg["SECRET_KEY"] is None
    assert cfg["DEVELOPMENT"] is False


def test_environment_overrides():
    cfg = config.load_config(
        {
            "DATABASE_URL": "postgresql://u:p@127.0.0.1/db",
            "INTAKE_API_SECRET": "s",
            "INTAKE_SECRET_KEY": "k",
            "INTAKE_PUBLIC_URL": "https://privacy.example.com/",
            "TEAM_EMAIL": "t@example.com",
            "HANDOFF_EMAIL": "h@example.com",
            "MAIL_FROM": "Shop <shop@example.com>",
            "SMTP_HOST": "smtp.example.com",
            "SMTP_PORT": "587",
            "SMTP_USERNAME": "user",
            "SMTP_PASSWORD": "pw",
            "SMTP_STARTTLS": "true",
            "MAIL_DIR": "/srv/mail",
            "INTAKE_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
            "INTAKE_DEVELOPMENT": "1",
        }
    )
    assert cfg["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379"
    assert cfg["DEVELOPMENT"] is True
    assert cfg["INTAKE_PUBLIC_URL"] == "https://privacy.example.com"
    assert cfg["SMTP_PORT"] == 587 and cfg["SMTP_STARTTLS"] is True
    assert (cfg["SECRET_KEY"], cfg["INTAKE_API_SECRET"]) == ("k", "s")
    assert cfg["MAIL_FROM"] == "Shop <shop@example.com>"


def test_missing_secrets_in_development_mode_log_a_warning(caplog, sqlite_url, monkeypatch):
    monkeypatch.delenv("INTAKE_API_SECRET", raising=False)
    monkeypatch.setenv("INTAKE_DEVELOPMENT", "1")
    with caplog.at_level(logging.WARNING, logger="intake"):
        app = create_app({"DATABASE_URL": sqlite_url})
    assert "INTAKE_API_SECRET is not set (development mode)" in caplog.text
    app.extensions["intake_db"].dispose()
    caplog.clear()
    real = "r" * 40
    with caplog.at_level(logging.WARNING, logger="intake"):
        app = create_app(
            {"DATABASE_URL": sqlite_url, "INTAKE_API_SECRET": real, "SECRET_KEY": real, "DELIVERY_KEY": real}
        )
    assert "is not set" not in caplog.text
    assert app.config["SESSION_COOKIE_SECURE"] is False
    app.extensions["intake_db"].dispose()


def test_gunicorn_settings_default_to_loopback(monkeypatch):
    for var in ("INTAKE_BIND", "INTAKE_WORKERS", "INTAKE_ACCESS_LOG"):
        monkeypatch.delenv(var, raising=False)
    import intake.gunicorn_conf as conf

    conf = importlib.reload(conf)
    assert conf.bind == "127.0.0.1:5100"
    assert conf.workers >= 2 and conf.worker_class == "sync"
    assert conf.accesslog is None
    assert "%(U)s" in conf.access_log_format and "%(r)s" not in conf.access_log_format  # path, no query


def test_rate_limit_storage_comes_from_the_environment(monkeypatch, sqlite_url, caplog):
    from limits.storage import MemoryStorage, RedisStorage

    monkeypatch.setenv("INTAKE_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/3")
    app = create_app({"DATABASE_URL": sqlite_url})
    storage = app.extensions["intake_limiter"].storage
    assert isinstance(storage, RedisStorage)  # shared by every worker (no connection is made yet)
    app.extensions["intake_db"].dispose()
    # production shape with the per-process default: said at start-up
    monkeypatch.delenv("INTAKE_RATELIMIT_STORAGE_URI")
    monkeypatch.delenv("INTAKE_DEVELOPMENT")
    with caplog.at_level(logging.WARNING, logger="intake"):
        app = create_app(
            {
                "DATABASE_URL": sqlite_url,
                "INTAKE_API_SECRET": "a" * 40,
                "SECRET_KEY": "b" * 40,
                "DELIVERY_KEY": "c" * 40,
            }
        )
    assert isinstance(app.extensions["intake_limiter"].storage, MemoryStorage)
    assert "counted per worker process" in caplog.text and "INTAKE_RATELIMIT_STORAGE_URI" in caplog.text
    app.extensions["intake_db"].dispose()
