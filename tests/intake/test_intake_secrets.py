"""Secrets: no built-in values; outside development mode the intake (factory and gunicorn) and the
action server refuse to start without real ones, and nothing signed with the once-published
development constants is accepted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from intake_support import ROOT, ServerThread, free_port, make_config, subprocess_env

from intake import config, create_app
from intake.auth import hash_password
from intake.models import StaffUser, utcnow

OLD_SESSION_CONSTANT = "dev-only-insecure-intake-session-key"  # what the source shipped until now
OLD_API_CONSTANT = "dev-only-insecure-intake-api-secret"
GOOD = "g" * 40


@pytest.fixture
def production_env(monkeypatch):
    for name in ("INTAKE_DEVELOPMENT", "INTAKE_API_SECRET", "INTAKE_SECRET_KEY", "INTAKE_DELIVERY_KEY"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    "secrets,expected",
    [
        ({}, ["INTAKE_API_SECRET is not set", "INTAKE_SECRET_KEY is not set", "INTAKE_DELIVERY_KEY is not set"]),
        ({"INTAKE_API_SECRET": GOOD, "DELIVERY_KEY": GOOD}, ["INTAKE_SECRET_KEY is not set"]),
        (
            {"INTAKE_API_SECRET": OLD_API_CONSTANT, "SECRET_KEY": OLD_SESSION_CONSTANT},
            [
                "INTAKE_API_SECRET is a development secret published",
                "INTAKE_SECRET_KEY is a development secret published",
            ],
        ),
        (
            {"INTAKE_API_SECRET": GOOD, "SECRET_KEY": "short", "DELIVERY_KEY": GOOD},
            ["INTAKE_SECRET_KEY is shorter than 32 characters"],
        ),
    ],
)
def test_the_factory_refuses_weak_secrets_outside_development_mode(production_env, sqlite_url, secrets, expected):
    with pytest.raises(config.InsecureConfiguration) as err:
        create_app({"DATABASE_URL": sqlite_url, **secrets})
    for text in expected:
        assert text in str(err.value)
    assert "INTAKE_DEVELOPMENT=1" in str(err.value)  # says how to run locally
    app = create_app(
        {"DATABASE_URL": sqlite_url, "INTAKE_API_SECRET": GOOD, "SECRET_KEY": "k" * 32, "DELIVERY_KEY": GOOD}
    )
    app.extensions["intake_db"].dispose()


def test_development_mode_uses_random_secrets_never_a_constant(monkeypatch, sqlite_url):
    for name in ("INTAKE_API_SECRET", "INTAKE_SECRET_KEY", "INTAKE_DELIVERY_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INTAKE_DEVELOPMENT", "1")
    apps = [create_app({"DATABASE_URL": sqlite_url}) for _ in range(2)]
    keys = {a.config[key] for a in apps for key in ("SECRET_KEY", "INTAKE_API_SECRET", "DELIVERY_KEY")}
    assert len(keys) == 6 and not keys & config.PUBLISHED_SECRETS
    for a in apps:
        a.extensions["intake_db"].dispose()


def test_gunicorn_refuses_to_start_without_secrets(tmp_path, sqlite_url):
    env = subprocess_env(sqlite_url, INTAKE_BIND=f"127.0.0.1:{free_port()}", INTAKE_WORKERS="1")
    for name in ("INTAKE_DEVELOPMENT", "INTAKE_API_SECRET", "INTAKE_SECRET_KEY", "INTAKE_DELIVERY_KEY"):
        env.pop(name, None)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    r = subprocess.run(
        [gunicorn, "-c", "python:intake.gunicorn_conf", "intake:create_app()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode != 0
    assert (
        "refusing to start: INTAKE_API_SECRET is not set; INTAKE_SECRET_KEY is not set; "
        "INTAKE_DELIVERY_KEY is not set" in r.stderr
    )


def test_a_session_cookie_forged_with_the_old_constant_is_refused(sqlite_url, monkeypatch, tmp_path, mailbox):
    # INTAKE_SECRET_KEY unset, as in the attack (the tests run in development mode)
    monkeypatch.delenv("INTAKE_SECRET_KEY", raising=False)
    cfg = make_config(sqlite_url, mailbox, tmp_path)
    del cfg["SECRET_KEY"]
    app = create_app(cfg)
    assert app.config["SECRET_KEY"] != OLD_SESSION_CONSTANT
    with app.extensions["intake_db"].write() as s:
        admin = StaffUser(
            username="root",
            password_hash=hash_password("correct horse battery"),
            role="admin",
            active=True,
            created_at=utcnow(),
        )
        s.add(admin)
        s.flush()
        admin_id = admin.id
    forger = Flask("forger")
    forger.secret_key = OLD_SESSION_CONSTANT
    forged = (
        SecureCookieSessionInterface()
        .get_signing_serializer(forger)
        .dumps({"staff_id": admin_id, "role": "admin", "session_version": 1})
    )
    with ServerThread(app) as srv:
        r = requests.get(
            f"http://127.0.0.1:{srv.port}/staff/", cookies={"sm_intake_session": forged}, allow_redirects=False
        )
    app.extensions["intake_db"].dispose()
    assert r.status_code == 302 and "/staff/login" in r.headers["Location"]


def test_the_action_server_refuses_to_start_without_the_secret():
    env = {k: v for k, v in subprocess_env("sqlite://").items() if k not in ("INTAKE_DEVELOPMENT", "INTAKE_API_SECRET")}
    bot = ROOT / "bot"
    r = subprocess.run(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "-p", str(free_port())],
        cwd=bot,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode != 0
    assert "refusing to start: INTAKE_API_SECRET is not set" in r.stderr


def test_bot_and_intake_name_development_mode_and_the_secret_alike():
    sys.path.insert(0, str(ROOT / "bot"))
    from actions import settings

    assert settings.DEVELOPMENT_ENV == config.DEVELOPMENT_ENV
    assert settings.SECRET_ENV == config.SECRET_VARIABLES["INTAKE_API_SECRET"]
    with pytest.raises(settings.MissingIntakeSecret):
        settings.intake_secret({})
    assert settings.intake_secret({"INTAKE_DEVELOPMENT": "1"}) not in config.PUBLISHED_SECRETS
    assert settings.intake_secret({"INTAKE_API_SECRET": GOOD}) == GOOD
