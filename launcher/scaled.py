"""The production shape on loopback (`python -m launcher --scaled`, `make run-scaled`): N Rasa servers
and M action servers behind nginx, conversations in PostgreSQL, Rasa's lock store and the intake's
rate limits in Redis, the intake under gunicorn on PostgreSQL, one outbox worker, both retention purges
on a schedule (launcher/purge_schedule.py), and the demo site with the widget, which talks to nginx.

```
 widget ──> nginx :5005 (privacy_bot_rasa) ──> Rasa server 1..N ──> nginx :5055 (privacy_bot_actions)
                                                  │    │                     ──> action server 1..M ──> intake
                                   PostgreSQL (tracker store)   Redis (lock store)
```

PostgreSQL and Redis: the URLs when they are set (``DATABASE_URL``, ``TRACKER_STORE_URL``,
``LOCK_STORE_URL``, ``INTAKE_RATELIMIT_STORAGE_URI``); for each one that is not, a throw-away local
instance (launcher/local_services.py) on a free loopback port, stopped and deleted with the stack.
Missing binaries are installed with apt when running as root (``install_missing``), otherwise the
start stops saying what to install.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from . import local_services
from .processes import Service, StartupError, free_port
from .stack import ALL_SERVICES, ROOT, Ports, Stack

#: Services of the embedded stack that run once in the scaled one too (the Rasa and action servers
#: are numbered: ``rasa-1``, ``actions-1``, ...).
SINGLE_SERVICES = tuple(name for name in ALL_SERVICES if name not in ("rasa", "actions"))
MAX_SERVERS = 16


def server_count(settings: Dict[str, str], name: str, default: int = 2) -> int:
    raw = (settings.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_SERVERS:
        raise StartupError(f"{name} must be a whole number from 1 to {MAX_SERVERS}, not {raw!r}")
    return int(raw)


@dataclass
class ScaledStack(Stack):
    """``ports.rasa`` and ``ports.actions`` are nginx's (so ``rasa_url``, the demo site's BOT_URL and
    Rasa's action endpoint all go through nginx); ``rasa_ports`` / ``action_ports`` the servers'."""

    rasa_ports: List[int] = field(default_factory=lambda: [free_port(), free_port()])
    action_ports: List[int] = field(default_factory=lambda: [free_port(), free_port()])
    #: Where local PostgreSQL, Redis and nginx keep their folders (default: a temporary folder).
    services_dir: Optional[Path] = None
    install_missing: bool = False  # the launcher: apt-get install what is missing, as root

    def __post_init__(self) -> None:
        super().__post_init__()
        self.services = (
            [name for name in SINGLE_SERVICES]
            + [f"rasa-{i}" for i in range(1, len(self.rasa_ports) + 1)]
            + [f"actions-{i}" for i in range(1, len(self.action_ports) + 1)]
            + ["purge"]
        )
        self.postgres: Optional[local_services.PostgresServer] = None
        self.redis: Optional[local_services.RedisServer] = None
        self.nginx: Optional[local_services.NginxServer] = None

    @classmethod
    def on_free_ports(cls, rasa_servers: int = 2, action_servers: int = 2, **kwargs) -> "ScaledStack":
        return cls(
            ports=Ports.free(),
            rasa_ports=[free_port() for _ in range(rasa_servers)],
            action_ports=[free_port() for _ in range(action_servers)],
            **kwargs,
        )

    def rasa_server_url(self, number: int) -> str:
        """Rasa server ``number`` (from 1) directly, not through nginx."""
        return f"http://127.0.0.1:{self.rasa_ports[number - 1]}"

    def nginx_site(self) -> str:
        return local_services.nginx_site(
            f"127.0.0.1:{self.ports.rasa}",
            [f"127.0.0.1:{port}" for port in self.rasa_ports],
            f"127.0.0.1:{self.ports.actions}",
            [f"127.0.0.1:{port}" for port in self.action_ports],
            fail_timeout="5s",
        )

    @property
    def nginx_site_path(self) -> Path:
        """A copy of the generated site file, to read or to take to production."""
        return self.var_dir / "nginx-site.conf"

    # --- services ----------------------------------------------------------------
    def _service(self, name: str) -> Service:
        logs = self.var_dir / "log"
        kind, _, number = name.partition("-")
        if kind == "rasa" and number.isdigit():
            return self._rasa_service(self.rasa_ports[int(number) - 1], f"rasa server {number}", logs / f"{name}.log")
        if kind == "actions" and number.isdigit():
            port = self.action_ports[int(number) - 1]
            return self._actions_service(port, f"action server {number}", logs / f"{name}.log")
        if name == "purge":  # both retention purges at start and every PURGE_INTERVAL_HOURS
            return Service(
                "retention purges",
                [sys.executable, "-m", "launcher.purge_schedule"],
                ROOT,
                self.env(),
                lambda: True,
                logs / "purge.log",
            )
        return super()._service(name)

    def _local(self, make):
        """Construct a local service, installing its Debian package first when allowed."""
        try:
            return make()
        except local_services.ServiceMissing as missing:
            if not self.install_missing:
                raise
            local_services.install_package(missing.package)
            return make()

    def _databases(self) -> None:
        """Use the configured URLs; start a local PostgreSQL / Redis for the ones that are not."""
        settings = dict(os.environ, **self.extra_env)
        base = Path(self.services_dir) if self.services_dir else None
        if base:
            base.mkdir(parents=True, exist_ok=True)
        if not settings.get("DATABASE_URL") or not settings.get("TRACKER_STORE_URL"):
            self.postgres = self._local(lambda: local_services.PostgresServer(base)).start()
            for variable, database in (("DATABASE_URL", "intake"), ("TRACKER_STORE_URL", "conversations")):
                if not settings.get(variable):
                    self.extra_env[variable] = self.postgres.create_database(database)
        limiter = settings.get("INTAKE_RATELIMIT_STORAGE_URI") or settings.get("RATELIMIT_STORAGE_URI")
        if not settings.get("LOCK_STORE_URL") or not limiter:
            self.redis = self._local(lambda: local_services.RedisServer(base)).start()
            if not limiter:
                self.extra_env["INTAKE_RATELIMIT_STORAGE_URI"] = self.redis.database_url(0)
            if not settings.get("LOCK_STORE_URL"):
                self.extra_env["LOCK_STORE_URL"] = self.redis.database_url(1)

    def prepare(self) -> None:
        self.rasa_endpoints()  # a store setting it cannot use stops the start before anything runs
        super().prepare()
        if not self.model_path.exists():
            raise StartupError(f"no trained model at {self.model_path}: run `make train` first")

    def start(self) -> "ScaledStack":
        try:
            self._databases()
            site = self.nginx_site()
            self.nginx = self._local(
                lambda: local_services.NginxServer(site, [self.ports.rasa, self.ports.actions], self.services_dir)
            )
            self.var_dir.mkdir(parents=True, exist_ok=True)
            self.nginx_site_path.write_text(site)
            self.nginx.start()
            super().start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        super().stop()
        for local in (self.nginx, self.redis, self.postgres):
            if local is not None:
                local.stop()
        self.nginx = self.redis = self.postgres = None
