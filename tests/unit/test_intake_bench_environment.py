"""The intake bench starts the intake as deployed (not in development mode): its environment must
pass the intake's own secret checks, or `make bench` fails at the migration (it did, once the
delivery key became required)."""

import logging
from pathlib import Path

from bench.intake_bench import bench_environment
from intake.config import check_secrets, load_config


def test_the_intake_bench_environment_passes_the_intakes_secret_checks(tmp_path: Path):
    env = bench_environment(tmp_path, 5999)
    assert "INTAKE_DEVELOPMENT" not in env
    cfg = load_config(env)
    assert not cfg.get("DEVELOPMENT")
    check_secrets(cfg, logging.getLogger("test"))  # raises InsecureConfiguration on any missing/short secret
    assert cfg["DELIVERY_KEY"] == env["INTAKE_DELIVERY_KEY"]
    assert env["DATABASE_URL"].startswith(f"sqlite:///{tmp_path}")


def test_a_missing_secret_is_what_the_check_refuses(tmp_path: Path):
    import pytest

    from intake.config import InsecureConfiguration

    env = bench_environment(tmp_path, 5999)
    del env["INTAKE_DELIVERY_KEY"]
    with pytest.raises(InsecureConfiguration):
        check_secrets(load_config(env), logging.getLogger("test"))
