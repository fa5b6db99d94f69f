"""The services of the product and how each one is started on loopback."""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional

from . import conversation_store, dev_secrets
from .processes import Service, StartupError, free_port, http_ok, port_open

ROOT = Path(__file__).resolve().parent.parent
BOT_DIR = ROOT / "bot"
MODEL_PATH = BOT_DIR / "models" / "privacy-bot.tar.gz"
BIN = Path(sys.executable).parent

ALL_SERVICES = ("mail", "intake", "outbox", "actions", "rasa", "demo")
# `rasa` with the bot's measured fixes (bot/rasa_server.py); run from BOT_DIR.
RASA_COMMAND = [str(BIN / "python"), "-m", "rasa_server"]
PLAIN_RASA_COMMAND = [str(BIN / "rasa")]


@dataclass
class Ports:
    rasa: int = 5005
    actions: int = 5055
    intake: int = 5100
    smtp: int = 1025
    demo: int = 8000

    @classmethod
    def free(cls) -> "Ports":
        return cls(free_port(), free_port(), free_port(), free_port(), free_port())


@dataclass
class Stack:
    """Starts the chosen services in dependency order and stops them all."""

    ports: Ports = field(default_factory=Ports)
    var_dir: Path = ROOT / "var"
    services: Iterable[str] = ALL_SERVICES
    extra_env: Dict[str, str] = field(default_factory=dict)
    model_path: Path = MODEL_PATH
    plain_rasa: bool = False  # bench only: the unpatched `rasa` command, for comparison

    def __post_init__(self) -> None:
        self.var_dir = Path(self.var_dir)
        self.services = [name for name in ALL_SERVICES if name in set(self.services)]
        self._running: List[Service] = []

    # --- addresses -------------------------------------------------------------
    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.rasa}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.actions}"

    @property
    def intake_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.intake}"

    @property
    def demo_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.demo}"

    @property
    def policy_url(self) -> str:
        return f"{self.demo_url}/privacy-policy"

    @property
    def mail_dir(self) -> Path:
        return self.var_dir / "mail"

    @property
    def database_url(self) -> str:
        return self.env().get("DATABASE_URL") or f"sqlite:///{self.var_dir / 'intake.sqlite3'}"

    @property
    def tracker_store_url(self) -> str:
        """Where the Rasa server keeps conversations (TRACKER_STORE_URL, default SQLite in var/)."""
        return conversation_store.tracker_store_url(self.env(), self.var_dir)

    def rasa_endpoints(self) -> conversation_store.RasaEndpoints:
        """The endpoints file `rasa run` and `rasa shell` both read: this stack's action server and
        the tracker and lock stores from TRACKER_STORE_URL / LOCK_STORE_URL (SettingError if unusable)."""
        return conversation_store.rasa_endpoints(self.env(), self.var_dir, ROOT, self.actions_url)

    def env(self) -> Dict[str, str]:
        """The services' environment: development mode, with this checkout's secrets unless
        the caller's environment sets its own."""
        env = dict(os.environ)
        env.setdefault("INTAKE_DEVELOPMENT", "1")
        for name, value in dev_secrets.load_or_create(self.var_dir).items():
            if not env.get(name):
                env[name] = value
        env.update(
            {
                "PYTHONUNBUFFERED": "1",
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "POLICY_URL": self.policy_url,
                "INTAKE_URL": self.intake_url,
                "INTAKE_PUBLIC_URL": self.intake_url,
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(self.ports.smtp),
                "MAIL_DIR": str(self.var_dir / "mail"),
                "BOT_URL": self.rasa_url,
            }
        )
        env.setdefault("DATABASE_URL", f"sqlite:///{self.var_dir / 'intake.sqlite3'}")
        # the answers' encrypted files go with this stack's database and key: the purge deletes every file
        # its database does not know, so two stacks (make run, the tests) must never share one folder
        env.setdefault("INTAKE_DELIVERY_DIR", str(self.var_dir / "deliveries"))
        # the intake reads (transcripts) and deletes (erasure) the conversations Rasa keeps: same store
        env.setdefault("TRACKER_STORE_URL", conversation_store.tracker_store_url(env, self.var_dir))
        env.update(self.extra_env)
        return env

    # --- services ----------------------------------------------------------------
    def _service(self, name: str) -> Service:
        env = self.env()
        logs = self.var_dir / "log"
        flask = [str(BIN / "python"), "-m", "flask", "--app", "intake"]
        if name == "mail":
            return Service(
                "mail sink",
                flask
                + ["mail-sink", "--host", "127.0.0.1", "--port", str(self.ports.smtp), "--dir", str(self.mail_dir)],
                ROOT,
                env,
                lambda: port_open(self.ports.smtp),
                logs / "mail.log",
            )
        if name == "intake":
            return Service(
                "intake",
                # The production command (README), with its PII-safe access log format; two
                # workers by default here, as the bot's servers share the machine.
                [str(BIN / "gunicorn"), "-c", "python:intake.gunicorn_conf", "intake:create_app()"],
                ROOT,
                dict(
                    env,
                    INTAKE_BIND=f"127.0.0.1:{self.ports.intake}",
                    INTAKE_WORKERS=env.get("INTAKE_WORKERS", "2"),
                    INTAKE_ACCESS_LOG=env.get("INTAKE_ACCESS_LOG", "-"),
                ),
                lambda: http_ok(f"{self.intake_url}/openapi.json"),
                logs / "intake.log",
            )
        if name == "outbox":
            return Service(
                "outbox worker",
                flask + ["outbox-worker"],
                ROOT,
                env,
                lambda: True,
                logs / "outbox.log",
            )
        if name == "actions":
            return self._actions_service(self.ports.actions, "action server", logs / "actions.log")
        if name == "rasa":
            return self._rasa_service(self.ports.rasa, "rasa server", logs / "rasa.log")
        if name == "demo":
            return Service(
                "demo site",
                [str(BIN / "python"), "-m", "web_widget.demo_site", "--port", str(self.ports.demo)],
                ROOT,
                env,
                lambda: http_ok(f"{self.demo_url}/"),
                logs / "demo.log",
            )
        raise ValueError(f"unknown service {name!r}")

    def _actions_service(self, port: int, label: str, log: Path) -> Service:
        env = self.env()
        return Service(
            label,
            # rasa_sdk with logs kept free of shopper text (bot/action_server.py); the actions import
            # dsar_contract, the package at the repository root they share with the intake.
            [str(BIN / "python"), "-m", "action_server", "--actions", "actions", "-p", str(port)],
            BOT_DIR,
            dict(env, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))),
            lambda: http_ok(f"http://127.0.0.1:{port}/health"),
            log,
            startup_timeout=120,
        )

    def _rasa_service(self, port: int, label: str, log: Path) -> Service:
        env = self.env()
        # One TensorFlow thread: DIET's matrices are small, and a second spinning thread
        # takes the core the action server needs (bench: ~5% more messages/s at 8 chats).
        env.setdefault("TF_INTRA_OP_PARALLELISM_THREADS", "1")
        env.setdefault("TF_INTER_OP_PARALLELISM_THREADS", "1")
        rasa_endpoints = self.rasa_endpoints()
        endpoints = rasa_endpoints.write(self.var_dir / "endpoints.yml")
        env.update(rasa_endpoints.env)  # store passwords: for the Rasa process only
        return Service(
            label,
            [
                *(PLAIN_RASA_COMMAND if self.plain_rasa else RASA_COMMAND),
                "run",
                "-i",
                "127.0.0.1",
                "-p",
                str(port),
                "-m",
                str(self.model_path),
                "--endpoints",
                str(endpoints),
                "--credentials",
                "credentials.yml",
                "--cors",
                self.demo_url,
                f"http://localhost:{self.ports.demo}",
            ],
            BOT_DIR,
            env,
            lambda: http_ok(f"http://127.0.0.1:{port}/"),
            log,
            startup_timeout=180,
        )

    def prepare(self) -> None:
        """Check the store settings, create folders and bring the intake database to the latest schema."""
        if "rasa" in self.services:  # a store setting it cannot use stops the start before anything runs
            sqlite_path = self.rasa_endpoints().sqlite_path
            if sqlite_path:
                sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        (self.var_dir / "log").mkdir(parents=True, exist_ok=True)
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        if "intake" in self.services:
            import subprocess

            subprocess.run(
                [str(BIN / "python"), "-m", "flask", "--app", "intake", "migrate"],
                cwd=ROOT,
                env=self.env(),
                check=True,
                capture_output=True,
            )
        if "rasa" in self.services and not self.model_path.exists():
            raise StartupError(f"no trained model at {self.model_path}: run `make train` first")

    def start(self) -> "Stack":
        self.prepare()
        try:
            pending = []
            for name in self.services:
                service = self._service(name)
                service.start()
                self._running.append(service)
                pending.append(service)
            for service in pending:  # start all, then wait: the slow ones load in parallel
                service.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def service(self, name: str) -> Optional[Service]:
        wanted = self._service(name).name
        return next((s for s in self._running if s.name == wanted), None)

    def stop_service(self, name: str) -> None:
        service = self.service(name)
        if service:
            service.stop()

    def kill_service(self, name: str) -> None:
        """SIGKILL a running service's process group (a crash: no clean shutdown), and reap it."""
        service = self.service(name)
        if service is None or not service.running():
            raise ValueError(f"{name!r} is not running in this stack")
        os.killpg(service.process.pid, signal.SIGKILL)
        service.process.wait(timeout=10)

    def restart_service(self, name: str) -> None:
        """Stop a running service and start it again with the same command, port and settings
        (a redeploy or a crash of one server), waiting until it is ready."""
        service = self.service(name)
        if service is None:
            raise ValueError(f"{name!r} is not part of this stack")
        service.stop()
        service.start()
        service.wait_ready()

    def stop(self) -> None:
        for service in reversed(self._running):
            service.stop()
        self._running.clear()

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
