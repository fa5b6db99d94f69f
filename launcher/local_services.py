"""Throw-away PostgreSQL, Redis and nginx on free loopback ports, for the scaled stack
(`python -m launcher --scaled` when no URLs are configured) and the tests.

Never the machine's own services: each instance lives in a folder of its own (a temporary folder,
or one under ``var/`` for the launcher), listens on 127.0.0.1 only, and is stopped and removed at
the end (and receives a signal if the process that started it dies first, so nothing is left
running).  The tests' session fixtures ``postgres_server`` and ``redis_server`` (tests/conftest.py,
through tests/services.py) and the scaled stack (launcher/scaled.py) use the same classes.

Debian's packages provide the binaries (``postgresql`` puts them under
``/usr/lib/postgresql/<version>/bin``).  When one is missing, ``ServiceMissing`` says exactly what
to install; the test fixtures turn that into a failure, never a skip, and the launcher installs
the package with apt when it runs as root (``install_package``).

PostgreSQL refuses to run as root: as root the cluster is initialised and run as the ``postgres``
system user the Debian package creates (or ``SM_TEST_PG_USER``; ``nobody`` when neither exists),
its folder owned by that user.  Durability is switched off (``fsync``, ``synchronous_commit``,
``full_page_writes``): these databases are thrown away.
"""

from __future__ import annotations

import ctypes
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from .processes import StartupError

INSTALL_HINT = "apt-get install postgresql redis-server"


class ServiceMissing(StartupError):
    """A binary is not installed (the message says what to install; ``package`` names it)."""

    def __init__(self, message: str, package: str = ""):
        super().__init__(message)
        self.package = package


def install_package(package: str) -> None:
    """Install a Debian package with apt-get (only as root); StartupError saying what to run otherwise."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise StartupError(f"{package} is not installed; install it with:\n    apt-get install {package}")
    print(f"Installing {package} with apt-get (it is missing)…", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    apt = ["apt-get", "-o", "DPkg::Lock::Timeout=600"]
    for command in (apt + ["update", "-qq"], apt + ["install", "-y", "-qq", package]):
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise StartupError(f"`{' '.join(command)}` failed:\n{result.stderr[-2000:]}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent(sig: int):
    """preexec_fn: the child gets ``sig`` when the test process dies (Linux); nothing elsewhere."""

    def preexec():
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, sig)  # PR_SET_PDEATHSIG
        except OSError:
            pass

    return preexec


def _wait(predicate, timeout: float, what: str, proc: subprocess.Popen, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}:\n{_tail(log)}")
        if predicate():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not become ready within {timeout:.0f}s:\n{_tail(log)}")


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(proc: subprocess.Popen | None, sig: int, timeout: float = 10.0) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def _start_on_a_free_port(server, command, *, what: str, stop_signal: int, port_taken: str, timeout: float, **popen):
    """Start ``command(port)`` on a free loopback port, logging to ``server.log``; sets ``server.port``
    and ``server.proc`` and waits for ``server._ready()``. A free port can be taken between choosing
    and binding it: when the log says so (``port_taken``), two more ports are tried. Otherwise the
    server is stopped and the error (with the log's tail) raised."""
    for attempt in range(3):
        server.port = free_port()
        with open(server.log, "ab") as log:
            server.proc = subprocess.Popen(
                command(server.port),
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent(stop_signal),  # stopped if we die
                **popen,
            )
        try:
            _wait(server._ready, timeout, what, server.proc, server.log)
            return
        except RuntimeError:
            _stop(server.proc, stop_signal)
            if attempt == 2 or port_taken not in _tail(server.log):
                server.stop()
                raise


class _ThrowAwayServer:
    """What the local servers below share: ``stop()`` sends STOP_SIGNAL and deletes the server's own
    folder (``dir``); ``with Server() as running:`` starts and stops it."""

    STOP_SIGNAL = signal.SIGTERM
    dir: Path
    proc: subprocess.Popen | None

    def start(self):
        raise NotImplementedError

    def stop(self) -> None:
        _stop(self.proc, self.STOP_SIGNAL)
        self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# --- PostgreSQL ------------------------------------------------------------------------------


def postgres_bin_dir(root: Path = Path("/usr/lib/postgresql")) -> Path:
    """The newest ``/usr/lib/postgresql/*/bin`` with initdb and postgres (``SM_TEST_PG_BIN`` overrides)."""
    candidates = [Path(os.environ["SM_TEST_PG_BIN"])] if os.environ.get("SM_TEST_PG_BIN") else []
    candidates += sorted(
        Path(root).glob("*/bin"),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in p.parent.name.split(".")],
        reverse=True,
    )
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "postgres").is_file():
            return folder
    raise ServiceMissing(
        "PostgreSQL's server binaries (initdb, postgres under /usr/lib/postgresql/*/bin) are not installed; "
        f"the tests and the scaled stack start their own instance. Install them with:\n    {INSTALL_HINT}\n"
        "(.ci/run does this; or set SM_TEST_PG_BIN to the folder holding initdb and postgres)",
        "postgresql",
    )


def _service_user() -> pwd.struct_passwd | None:
    """Whom PostgreSQL runs as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in filter(None, (os.environ.get("SM_TEST_PG_USER"), "postgres", "nobody")):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root, and there is no 'postgres' or 'nobody' user to run PostgreSQL as")


def _chown_tree(path: Path, user: pwd.struct_passwd) -> None:
    os.chown(path, user.pw_uid, user.pw_gid)
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.chown(os.path.join(root, name), user.pw_uid, user.pw_gid)


class PostgresServer(_ThrowAwayServer):
    """A throw-away PostgreSQL cluster on 127.0.0.1:<free port>, password authentication.

    ``url`` is the superuser's SQLAlchemy URL (database ``postgres``); ``database_url(name)`` another
    database's; ``create_database(name, template=None)`` makes one (a template copy is fast).
    """

    STOP_SIGNAL = signal.SIGINT  # fast shutdown

    SUPERUSER = "sm_test"

    def __init__(self, base_dir: Path | None = None):
        self.bin = postgres_bin_dir()
        self.user = _service_user()
        self.password = secrets.token_hex(12)
        self.dir = Path(tempfile.mkdtemp(prefix="sm-test-pg-", dir=base_dir))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None

    # running as the service user when we are root
    def _as_user(self) -> dict:
        if self.user is None:
            return {}
        return {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}

    def _env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL="C", LANG="C")
        if self.user is not None:
            env.update(HOME=str(self.dir), USER=self.user.pw_name, LOGNAME=self.user.pw_name)
        return env

    def start(self, timeout: float = 60.0) -> "PostgresServer":
        pwfile = self.dir / "pwfile"
        pwfile.write_text(self.password + "\n")
        if self.user is not None:
            _chown_tree(self.dir, self.user)
        subprocess.run(
            [
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                self.SUPERUSER,
                f"--pwfile={pwfile}",
                "--auth-host=scram-sha-256",
                "--auth-local=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
            cwd=self.dir,
            env=self._env(),
            check=True,
            capture_output=True,
            **self._as_user(),
        )
        pwfile.unlink()
        _start_on_a_free_port(
            self,
            lambda port: [
                str(self.bin / "postgres"),
                "-D",
                str(self.data),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-k",
                str(self.dir),  # its unix socket stays in our folder, not /var/run/postgresql
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
                "-c",
                "shared_buffers=32MB",
            ],
            what="PostgreSQL",
            stop_signal=signal.SIGQUIT,  # immediate shutdown
            port_taken="could not bind",
            timeout=timeout,
            cwd=self.dir,
            env=self._env(),
            **self._as_user(),
        )
        return self

    def _ready(self) -> bool:
        import psycopg2

        try:
            psycopg2.connect(self.dsn("postgres"), connect_timeout=2).close()
            return True
        except psycopg2.OperationalError:
            return False

    def dsn(self, database: str) -> str:
        return f"host=127.0.0.1 port={self.port} user={self.SUPERUSER} password={self.password} dbname={database}"

    def database_url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"

    @property
    def url(self) -> str:
        return self.database_url("postgres")

    def execute(self, sql: str, database: str = "postgres") -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
        import psycopg2

        conn = psycopg2.connect(self.dsn(database))
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(sql)
        finally:
            conn.close()

    def create_database(self, name: str, template: str | None = None) -> str:
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.database_url(name)

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- Redis -----------------------------------------------------------------------------------


def redis_server_binary() -> str:
    found = os.environ.get("SM_TEST_REDIS_SERVER") or shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(found).is_file():
        raise ServiceMissing(
            "redis-server is not installed; the tests and the scaled stack start their own instance. "
            f"Install it with:\n    {INSTALL_HINT}\n(.ci/run does this; or set SM_TEST_REDIS_SERVER to the binary)",
            "redis-server",
        )
    return found


class RedisServer(_ThrowAwayServer):
    """A throw-away Redis on 127.0.0.1:<free port>, nothing persisted (``url``: redis://...)."""

    STOP_SIGNAL = signal.SIGTERM

    def __init__(self, base_dir: Path | None = None):
        self.binary = redis_server_binary()
        self.dir = Path(tempfile.mkdtemp(prefix="sm-test-redis-", dir=base_dir))
        self.log = self.dir / "redis.log"
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 20.0) -> "RedisServer":
        _start_on_a_free_port(
            self,
            lambda port: [
                self.binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
                "--daemonize",
                "no",
            ],
            what="redis-server",
            stop_signal=signal.SIGTERM,
            port_taken="Address already in use",
            timeout=timeout,
            cwd=self.dir,
        )
        return self

    def _ready(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1).ping())
        except redis.exceptions.ConnectionError:
            return False

    @property
    def url(self) -> str:
        return self.database_url(0)

    def database_url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int = 0):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, db=db)


# --- nginx -----------------------------------------------------------------------------------

NGINX_INSTALL_HINT = "apt-get install nginx"


def nginx_binary() -> str:
    found = os.environ.get("SM_NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(found).is_file():
        raise ServiceMissing(
            "nginx is not installed; the scaled stack and its tests run their own instance in front of the "
            f"Rasa and action servers. Install it with:\n    {NGINX_INSTALL_HINT}\n"
            "(.ci/run does this; or set SM_NGINX to the binary)",
            "nginx",
        )
    return found


def nginx_site(
    bot_listen: str,
    rasa_servers: list[str],
    actions_listen: str,
    action_servers: list[str],
    fail_timeout: str = "10s",
) -> str:
    """The nginx site file of the production shape: one upstream of Rasa servers (the REST channel
    the widget posts to) and one of action servers (Rasa's ``action_endpoint``), each request to the
    server with the fewest requests in flight (``least_conn``; ties in turn), no sticky sessions (the
    tracker store and the Redis lock store make any server right for any message). Least
    connections rather than round robin: a Rasa server handles one message at a time on its event
    loop, so round robin queues messages behind a busy server while the other waits (make bench:
    p95 at 8 conversations 203-227 ms round robin, 154-193 ms least connections, paired runs). A
    server that refuses the connection or does not accept it within 2 s is skipped for
    ``fail_timeout`` and the request goes to the next one (``proxy_next_upstream error timeout``).
    A POST that reached a server which then failed is not sent again (nginx's default for
    non-idempotent requests): the shopper's message may already have been handled. Request and
    response bodies are held in memory, never written to nginx's temporary files (they hold what
    shoppers typed)."""

    def upstream(name: str, servers: list[str]) -> str:
        lines = "".join(f"    server {s} max_fails=1 fail_timeout={fail_timeout};\n" for s in servers)
        # the zone: every nginx worker sees the same counts of requests in flight
        return f"upstream {name} {{\n    zone {name} 64k;\n    least_conn;\n{lines}}}\n"

    def server(listen: str, name: str, body_limit: str, read_timeout: str) -> str:
        return (
            "server {\n"
            f"    listen {listen};\n"
            "    location / {\n"
            f"        proxy_pass http://{name};\n"
            "        proxy_next_upstream error timeout;\n"
            "        proxy_connect_timeout 2s;\n"
            f"        proxy_read_timeout {read_timeout};\n"
            "        proxy_set_header Host $host;\n"
            "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
            "        proxy_set_header X-Forwarded-Proto $scheme;\n"
            f"        client_max_body_size {body_limit};\n"
            # what shoppers typed (and Rasa's trackers) stays in memory, never in nginx's temp files
            f"        client_body_buffer_size {body_limit};\n"
            "        proxy_max_temp_file_size 0;\n"
            "    }\n"
            "}\n"
        )

    return (
        "# The Session Music privacy assistant behind nginx (written by launcher/local_services.py).\n"
        "# Production: copy to /etc/nginx/sites-available/, put the hosts' addresses in the upstreams,\n"
        "# and add TLS (listen 443 ssl, certificates) to the bot's server block; the widget talks to it.\n"
        + upstream("privacy_bot_rasa", rasa_servers)
        + upstream("privacy_bot_actions", action_servers)
        + "# The widget's REST channel (POST /webhooks/rest/webhook) and Rasa's CORS answers.\n"
        + server(bot_listen, "privacy_bot_rasa", "64k", "60s")
        + "# Rasa's action endpoint (internal: only the Rasa servers call it; keep it off the internet).\n"
        + server(actions_listen, "privacy_bot_actions", "1m", "60s")
    )


# What the access log records: the upstream that answered, never a query string or a body.
_NGINX_LOG_FORMAT = "'$time_iso8601 $request_method $uri $status $request_time $upstream_addr'"


class NginxServer(_ThrowAwayServer):
    """nginx in the foreground (``nginx -p <dir> -c <conf> -g 'daemon off;'``) with the given site
    file, its pid, logs and temporary files in a folder of its own. ``ports``: the loopback ports the
    site listens on, checked for readiness. ``access_log``: one line per request with the upstream
    that answered it."""

    STOP_SIGNAL = signal.SIGQUIT  # graceful: finish the requests in flight

    def __init__(self, site: str, ports: list[int], base_dir: Path | None = None, workers: int = 1):
        self.binary = nginx_binary()
        self.workers = workers
        self.site = site
        self.ports = list(ports)
        self.dir = Path(tempfile.mkdtemp(prefix="sm-nginx-", dir=base_dir))
        self.site_path = self.dir / "site.conf"
        self.conf_path = self.dir / "nginx.conf"
        self.log = self.dir / "error.log"
        self.access_log = self.dir / "access.log"
        self.proc: subprocess.Popen | None = None

    def _main_conf(self) -> str:
        temp = self.dir / "tmp"
        temp.mkdir(exist_ok=True)
        os.chmod(self.dir, 0o711)  # the workers reach tmp/ (the folder holds no secrets)
        user = ""
        if os.geteuid() == 0:  # the master runs as root; its workers as an unprivileged user
            for name in ("www-data", "nobody"):
                try:
                    entry = pwd.getpwnam(name)
                except KeyError:
                    continue
                _chown_tree(temp, entry)
                user = f"user {name};\n"
                break
        paths = "".join(
            f"    {kind}_temp_path {temp / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        return (
            user
            + f"worker_processes {self.workers};\n"
            + f"pid {self.dir / 'nginx.pid'};\n"
            + f"error_log {self.log} warn;\n"
            + "events { worker_connections 1024; }\n"
            + "http {\n"
            + f"    log_format upstreams {_NGINX_LOG_FORMAT};\n"
            + f"    access_log {self.access_log} upstreams;\n"
            + paths
            + f"    include {self.site_path};\n"
            + "}\n"
        )

    def start(self, timeout: float = 20.0) -> "NginxServer":
        self.site_path.write_text(self.site)
        self.conf_path.write_text(self._main_conf())
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [
                    self.binary,
                    "-p",
                    str(self.dir),
                    "-c",
                    str(self.conf_path),
                    "-e",
                    str(self.log),
                    "-g",
                    "daemon off;",
                ],
                cwd=self.dir,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent(signal.SIGTERM),
            )
        _wait(lambda: all(_port_open(p) for p in self.ports), timeout, "nginx", self.proc, self.log)
        return self

    def upstreams_used(self) -> list[str]:
        """The upstream addresses tried for each logged request, in order (``"a, b"`` when nginx
        failed over from a to b; ``-`` when it passed the request to none)."""
        try:
            lines = self.access_log.read_text().splitlines()
        except FileNotFoundError:
            return []
        return [" ".join(line.split()[5:]) for line in lines if len(line.split()) >= 6]


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0
