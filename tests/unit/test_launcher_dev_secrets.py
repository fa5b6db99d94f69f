"""`make run`'s development secrets: random per checkout, created once (0600), reused, and the
same value given to the intake and the action server."""

import stat

from launcher import dev_secrets
from launcher.stack import Ports, Stack


def test_secrets_are_created_once_private_and_reused(tmp_path):
    first = dev_secrets.load_or_create(tmp_path)
    assert set(first) == {"INTAKE_API_SECRET", "INTAKE_SECRET_KEY", "INTAKE_DELIVERY_KEY"}
    assert len(set(first.values())) == 3 and all(len(v) >= 32 for v in first.values())
    folder = tmp_path / "secrets"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in first:
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    assert dev_secrets.load_or_create(tmp_path) == first  # reused, not replaced
    other = dev_secrets.load_or_create(tmp_path / "another-checkout")
    assert not set(other.values()) & set(first.values())


def test_an_empty_secret_file_is_replaced_not_used(tmp_path):
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "INTAKE_API_SECRET").write_text("")
    assert len(dev_secrets.load_or_create(tmp_path)["INTAKE_API_SECRET"]) >= 32


def test_the_stack_gives_every_service_development_mode_and_the_checkout_secrets(tmp_path, monkeypatch):
    for name in ("INTAKE_DEVELOPMENT", "INTAKE_API_SECRET", "INTAKE_SECRET_KEY", "INTAKE_DELIVERY_KEY"):
        monkeypatch.delenv(name, raising=False)
    stack = Stack(ports=Ports(), var_dir=tmp_path)
    env = stack.env()
    assert env["INTAKE_DEVELOPMENT"] == "1"
    secrets = dev_secrets.load_or_create(tmp_path)
    assert env["INTAKE_API_SECRET"] == secrets["INTAKE_API_SECRET"]
    assert env["INTAKE_SECRET_KEY"] == secrets["INTAKE_SECRET_KEY"]
    assert env["INTAKE_DELIVERY_KEY"] == secrets["INTAKE_DELIVERY_KEY"]
    for name in ("intake", "actions"):  # one environment: both sign with the same secret
        assert stack._service(name).env["INTAKE_API_SECRET"] == secrets["INTAKE_API_SECRET"]
    monkeypatch.setenv("INTAKE_API_SECRET", "x" * 40)  # an operator's own secret wins
    assert Stack(ports=Ports(), var_dir=tmp_path).env()["INTAKE_API_SECRET"] == "x" * 40


def test_each_stack_keeps_the_answers_files_under_its_own_var_dir(tmp_path, monkeypatch):
    """The delivery folder goes with the stack's database and key: the intake's purge deletes every file of
    the folder its database does not know, so a test stack sharing the checkout's var/deliveries with
    `make run` would delete the running demo's answers (and left its own there)."""
    from intake.config import load_config

    monkeypatch.delenv("INTAKE_DELIVERY_DIR", raising=False)
    env = Stack(ports=Ports(), var_dir=tmp_path / "a").env()
    assert env["INTAKE_DELIVERY_DIR"] == str(tmp_path / "a" / "deliveries")
    assert load_config(env)["DELIVERY_DIR"] == str(tmp_path / "a" / "deliveries")
    assert Stack(ports=Ports(), var_dir=tmp_path / "b").env()["INTAKE_DELIVERY_DIR"] != env["INTAKE_DELIVERY_DIR"]
    monkeypatch.setenv("INTAKE_DELIVERY_DIR", str(tmp_path / "operator"))  # an operator's own folder wins
    assert Stack(ports=Ports(), var_dir=tmp_path / "a").env()["INTAKE_DELIVERY_DIR"] == str(tmp_path / "operator")
