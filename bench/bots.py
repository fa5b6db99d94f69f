"""The bots under comparison: how each is trained and served, measured the same way.

- `ours`: this project's bot as committed (spaCy + WordLlama, DIET averaged with a regression, RulePolicy only) with its
  action server and intake, served exactly as `make run` serves it;
- `ours-plain-rasa`: the same model and services, but the Rasa server started with the
  plain `rasa` command, without bot/rasa_server.py's fixes (no training: same model);
- `stock`: the project `rasa init` creates (Rasa's default pipeline and policies:
  Memoization, Rule, UnexpecTED and TED), served with `rasa run`.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional

from launcher import Ports, Stack
from launcher.scaled import ScaledStack
from launcher.conversation_store import lock_store, tracker_store
from launcher.processes import Service, free_port, http_ok

ROOT = Path(__file__).resolve().parent.parent
BOT_DIR = ROOT / "bot"
BIN = Path(sys.executable).parent
RASA = str(BIN / "rasa")
INITIAL_PROJECT = Path(__import__("rasa").__file__).parent / "cli" / "initial_project"


@dataclass
class Bot:
    name: str
    description: str
    project_dir: Path  # where `rasa train` and `rasa run` are started
    train_args: List[str]
    needs_actions: bool
    model: Optional[Path] = None
    training_s: Optional[float] = None
    plain_rasa: bool = False


def rasa_env() -> Dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "RASA_TELEMETRY_ENABLED": "false",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "PYTHONWARNINGS": "ignore",
        }
    )
    return env


def our_bot(work: Path) -> Bot:
    return Bot(
        "ours",
        "this bot: spaCy + WordLlama, DIET averaged with a regression, RulePolicy only, action server",
        BOT_DIR,
        ["--data", "data/nlu", "data/rules", "-c", "config.yml"],
        True,
    )


def our_bot_plain_rasa(ours: Bot) -> Bot:
    return Bot(
        "ours-plain-rasa",
        "the same model and action server, plain `rasa run` (without the fixes)",
        BOT_DIR,
        [],
        True,
        model=ours.model,
        training_s=None,
        plain_rasa=True,
    )


def stock_bot(work: Path) -> Bot:
    project = work / "stock"
    shutil.copytree(INITIAL_PROJECT, project)
    return Bot(
        "stock",
        "`rasa init` project: Rasa's default pipeline and policies",
        project,
        ["--data", "data", "-c", "config.yml", "-d", "domain.yml"],
        False,
    )


def train(bot: Bot, work: Path) -> Bot:
    out = work / "models"
    out.mkdir(exist_ok=True)
    log = work / f"train-{bot.name}.log"
    started = time.perf_counter()
    with log.open("wb") as handle:
        result = subprocess.run(
            [RASA, "train", *bot.train_args, "--out", str(out), "--fixed-model-name", bot.name, "--force"],
            cwd=bot.project_dir,
            env=rasa_env(),
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    bot.training_s = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"training {bot.name} failed; see {log}")
    bot.model = out / f"{bot.name}.tar.gz"
    return bot


def nlu_accuracy(bot: Bot, test_set: Path, work: Path) -> Dict[str, float]:
    out = work / f"nlu-{bot.name}"
    subprocess.run(
        [RASA, "test", "nlu", "--nlu", str(test_set), "-m", str(bot.model), "--out", str(out)],
        cwd=bot.project_dir,
        env=rasa_env(),
        check=True,
        capture_output=True,
    )
    report = json.loads((out / "intent_report.json").read_text())
    return {"accuracy": report["accuracy"], "macro_f1": report["macro avg"]["f1-score"]}


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    total_kb, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total_kb / 1024


def _descendants(pid: int) -> List[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                children = [int(child) for child in (task / "children").read_text().split()]
                found += children
                pending += children
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def cpu_seconds(pids: List[int], with_descendants: bool = True) -> float:
    """CPU time (user + system) used so far by these processes (and their descendants), in s."""
    ticks, tick = 0, os.sysconf("SC_CLK_TCK")
    everyone = set(pids)
    if with_descendants:
        for pid in pids:
            everyone.update(_descendants(pid))
    for pid in everyone:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
    return ticks / tick


def services_cpu_seconds() -> float:
    """CPU used by every process this bench started (servers, stores, nginx), not the load generator."""
    return cpu_seconds(_descendants(os.getpid()), with_descendants=False)


def machine_busy_seconds() -> float:
    """CPU time the whole machine spent busy (all cores, every process: ours and anyone else's)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


@dataclass
class Served:
    url: str
    rasa_pid: int
    actions_pid: Optional[int]
    load_s: float
    #: every Rasa server process (the scaled variants run several); RSS adds them up
    rasa_pids: List[int] = field(default_factory=list)
    #: what `bench.profile` needs to load the same stores and action server in-process
    endpoints: Optional[Path] = None
    endpoints_env: Dict[str, str] = field(default_factory=dict)
    #: where this variant keeps conversations and locks, for the report
    stores: str = ""


@contextmanager
def serve(bot: Bot, work: Path) -> Iterator[Served]:
    """Start the bot's Rasa server (and, for ours, the action server and intake)."""
    started = time.perf_counter()
    if bot.needs_actions:
        stack = Stack(
            ports=Ports.free(),
            var_dir=work / f"var-{bot.name}",
            services=["intake", "actions", "rasa"],
            model_path=bot.model,
            plain_rasa=bot.plain_rasa,
        )
        stack.start()
        try:
            actions = stack.service("actions")
            rasa_pid = stack.service("rasa").process.pid
            yield Served(
                stack.rasa_url,
                rasa_pid,
                actions.process.pid if actions else None,
                time.perf_counter() - started,
                [rasa_pid],
                stack.var_dir / "endpoints.yml",
                dict(stack.env(), **stack.rasa_endpoints().env),
                "SQLite tracker store, in-memory lock store (the embedded default)",
            )
        finally:
            stack.stop()
        return
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # The stock bot gets Rasa's own REST channel (ours is bot/channels/guarded_rest.py).
    credentials = work / "stock-credentials.yml"
    credentials.write_text("rest:\n")
    # The same conversation stores as ours (launcher/conversation_store.py: SQLite by default), so
    # the comparison is not in-memory against SQL.
    var_dir = work / f"var-{bot.name}"
    var_dir.mkdir(parents=True, exist_ok=True)  # Rasa can't create the SQLite file's folder (and falls back to memory)
    tracker_text, tracker_env, _ = tracker_store(os.environ, var_dir, bot.project_dir)
    lock_text, lock_env = lock_store(os.environ)
    endpoints = work / "stock-endpoints.yml"
    endpoints.write_text(tracker_text + lock_text, encoding="utf-8")
    # The same server settings as ours (launcher/stack.py): one TensorFlow thread.
    env = dict(
        rasa_env(), TF_INTRA_OP_PARALLELISM_THREADS="1", TF_INTER_OP_PARALLELISM_THREADS="1", **tracker_env, **lock_env
    )
    service = Service(
        f"rasa server ({bot.name})",
        [
            RASA,
            "run",
            "-i",
            "127.0.0.1",
            "-p",
            str(port),
            "-m",
            str(bot.model),
            "--credentials",
            str(credentials),
            "--endpoints",
            str(endpoints),
        ],
        bot.project_dir,
        env,
        lambda: http_ok(f"{url}/"),
        work / f"serve-{bot.name}.log",
        startup_timeout=240,
    )
    service.start()
    try:
        service.wait_ready()
        yield Served(
            url,
            service.process.pid,
            None,
            time.perf_counter() - started,
            [service.process.pid],
            stores="SQLite tracker store, in-memory lock store (as ours)",
        )
    finally:
        service.stop()


@contextmanager
def serve_scaled(bot: Bot, work: Path, label: str, rasa_servers: int, sanic_workers: int = 1) -> Iterator[Served]:
    """Our bot in the production shape (launcher/scaled.py): `rasa_servers` Rasa servers (each with
    `sanic_workers` Sanic workers) and two action servers behind nginx, conversations in PostgreSQL,
    the lock store in Redis (throw-away local instances), the intake under gunicorn. Only the
    services the load needs run (no mail sink, outbox worker or demo site)."""
    started = time.perf_counter()
    extra_env = {"SANIC_WORKERS": str(sanic_workers)} if sanic_workers > 1 else {}
    stack = ScaledStack.on_free_ports(
        rasa_servers=rasa_servers,
        action_servers=2,
        var_dir=work / f"var-{label}",
        model_path=bot.model,
        # a folder of its own in /tmp: as root, PostgreSQL runs as a service user, who cannot enter the
        # bench's work folder (mkdtemp: mode 0700)
        services_dir=None,
        extra_env=extra_env,
    )
    stack.services = [
        "intake",
        *(f"actions-{i}" for i in range(1, 3)),
        *(f"rasa-{i}" for i in range(1, rasa_servers + 1)),
    ]
    stack.start()
    try:
        rasa_pids = [stack.service(f"rasa-{i}").process.pid for i in range(1, rasa_servers + 1)]
        yield Served(
            stack.rasa_url,
            rasa_pids[0],
            stack.service("actions-1").process.pid,
            time.perf_counter() - started,
            rasa_pids,
            stack.var_dir / "endpoints.yml",
            dict(stack.env(), **stack.rasa_endpoints().env),
            "PostgreSQL tracker store, Redis lock store",
        )
    finally:
        stack.stop()


def profile_stages(served: Served, bot: Bot, script: List[List[str]], work: Path) -> Dict[str, float]:
    """Median ms per message of each Rasa stage, one conversation at a time (bench/profile.py),
    against the same stores and action server as `served`."""
    script_file = work / "profile-script.json"
    script_file.write_text(json.dumps(script))
    env = dict(
        served.endpoints_env,
        **{k: v for k, v in rasa_env().items() if k.startswith(("TF_", "RASA_", "SQLALCHEMY", "PYTHONWARN"))},
        TF_INTRA_OP_PARALLELISM_THREADS="1",
        TF_INTER_OP_PARALLELISM_THREADS="1",
        PYTHONPATH=os.pathsep.join([str(ROOT), str(BOT_DIR)]),
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.profile",
            "--model",
            str(bot.model),
            "--endpoints",
            str(served.endpoints),
            "--script",
            str(script_file),
        ],
        cwd=BOT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"profile failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def nlu_parse_ms(bot: Bot, texts: List[str]) -> float:
    """Median time of the NLU pipeline alone on each text, in this process."""
    import asyncio
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    here = os.getcwd()
    os.chdir(bot.project_dir)  # the model's spaCy pipeline path is relative to the bot folder
    if str(bot.project_dir) not in sys.path:  # and its custom components are imported from there
        sys.path.insert(0, str(bot.project_dir))
    try:
        agent = Agent.load(str(bot.model))

        async def timed() -> List[float]:
            for text in texts[:10]:
                await agent.parse_message(text)  # warm-up
            took = []
            for text in texts:
                started = time.perf_counter()
                await agent.parse_message(text)
                took.append((time.perf_counter() - started) * 1000)
            return took

        return statistics.median(asyncio.run(timed()))
    finally:
        os.chdir(here)
