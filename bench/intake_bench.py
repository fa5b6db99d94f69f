#!/usr/bin/env python3
"""Benchmark: intake request submissions per second and latency at 16 concurrent clients.

Serves the intake the way production does (gunicorn with intake/gunicorn_conf.py) on a fresh
SQLite file (the embedded default), on a free loopback port, then runs two bounded phases:

1. saturation: 16 clients send signed POST /api/v1/requests back to back (closed loop) for
   --duration seconds: the throughput ceiling, and the latency that comes with it;
2. paced: the same 16 clients offer --rate submissions/s in total (open loop, each client on
   its own schedule) for --duration seconds: latency at the target load.

Usage:  .venv/bin/python bench/intake_bench.py [--duration 15] [--workers 3] [--rate 300]
Target: 300/s with p99 under 50 ms on the 2-core machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from intake.signing import signed_headers  # noqa: E402
from launcher.processes import free_port  # noqa: E402

SECRET = "bench-secret-" + uuid.uuid4().hex


def body(i: int) -> bytes:
    kind = ("access", "erasure", "marketing_opt_out", "rectification", "objection")[i % 5]
    b = {
        "request_type": kind,
        "requester": {"name": f"Bench Shopper {i}", "email": f"shopper{i}@example.org", "phone": "07700 900000"},
        "details": "Benchmark request",
        "source": {"channel": "bench", "conversation_id": f"bench-{i}", "text": "I would like my data please"},
        "idempotency_key": str(uuid.uuid4()),
    }
    if kind == "rectification":
        b["rectification"] = {"what": "postcode", "correct_value": "GU1 4AA"}
    if kind == "objection":
        b["objection"] = {"processing": "profiling"}
    return json.dumps(b).encode()


class Client:
    def __init__(self, port: int):
        self.port = port
        self.conn = None

    def submit(self, i: int) -> tuple[int, float]:
        raw = body(i)
        headers = {"Content-Type": "application/json", **signed_headers(SECRET, raw)}
        t0 = time.perf_counter()
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.conn.request("POST", "/api/v1/requests", body=raw, headers=headers)
                resp = self.conn.getresponse()
                resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return resp.status, time.perf_counter() - t0
            except (http.client.HTTPException, OSError):
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt == 2:
                    return 0, time.perf_counter() - t0
        raise AssertionError


def run_phase(port: int, clients: int, duration: float, rate: float | None, max_requests: int) -> dict:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    counter = iter(range(10**9))
    start = time.perf_counter()
    stop_at = start + duration

    def worker(idx: int):
        c = Client(port)
        interval = clients / rate if rate else 0.0
        next_send = start + idx * (interval / clients if rate else 0)
        local = []
        local_status: dict[int, int] = {}
        while True:
            now = time.perf_counter()
            if now >= stop_at:
                break
            if rate:
                if now < next_send:
                    time.sleep(next_send - now)
                next_send += interval
            i = next(counter)
            if i >= max_requests:
                break
            status, lat = c.submit(i)
            local.append(lat)
            local_status[status] = local_status.get(status, 0) + 1
        with lock:
            latencies.extend(local)
            for k, v in local_status.items():
                statuses[k] = statuses.get(k, 0) + v

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(round(p / 100 * len(latencies))) - 1)] * 1000

    ok = statuses.get(201, 0)
    return {
        "requests": len(latencies),
        "created": ok,
        "statuses": statuses,
        "elapsed_s": elapsed,
        "per_s": ok / elapsed,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": latencies[-1] * 1000,
        "mean_ms": statistics.mean(latencies) * 1000,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--duration", type=float, default=15.0, help="seconds per phase (bounded)")
    ap.add_argument("--max-requests", type=int, default=50_000, help="per phase (bounded)")
    ap.add_argument("--rate", type=float, default=300.0, help="offered load of the paced phase (0 to skip)")
    ap.add_argument("--workers", type=int, default=None, help="INTAKE_WORKERS (default: gunicorn_conf's)")
    ap.add_argument("--threads", type=int, default=None, help="INTAKE_THREADS")
    ap.add_argument("--worker-class", default=None, help="INTAKE_WORKER_CLASS (sync, gthread)")
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument(
        "--with-mail",
        action="store_true",
        help="also run the outbox worker and the mail sink (as in production) during the phases",
    )
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (database, logs)")
    measure(ap.parse_args())
    return 0


def options(**overrides) -> argparse.Namespace:
    """The CLI defaults, for callers that run the benchmark from Python (python -m bench)."""
    values = dict(
        clients=16,
        duration=15.0,
        max_requests=50_000,
        rate=300.0,
        workers=None,
        threads=None,
        worker_class=None,
        warmup=300,
        with_mail=False,
        keep=False,
    )
    values.update(overrides)
    return argparse.Namespace(**values)


def bench_environment(tmp: Path, port: int) -> dict:
    """The intake's environment for a bench run: its own SQLite database and mail folder under tmp, and
    production-strength random secrets (not development mode, so the bench measures the intake as deployed)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTAKE_", "DATABASE_URL"))}
    env.update(
        {
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "INTAKE_API_SECRET": SECRET,
            "INTAKE_SECRET_KEY": secrets.token_urlsafe(32),
            "INTAKE_DELIVERY_KEY": secrets.token_urlsafe(32),
            "INTAKE_BIND": f"127.0.0.1:{port}",
            "INTAKE_LOG_LEVEL": "WARNING",
            "MAIL_DIR": str(tmp / "mail"),
            "PYTHONPATH": str(ROOT),
            "SMTP_PORT": str(free_port()),
            "OUTBOX_POLL_INTERVAL": "0.5",
        }
    )
    return env


def measure(args: argparse.Namespace) -> dict:
    """Run the phases and print them; returns {"config": ..., phase name: figures}."""
    tmp = Path(tempfile.mkdtemp(prefix="intake-bench-"))
    port = free_port()
    env = bench_environment(tmp, port)
    if args.workers:
        env["INTAKE_WORKERS"] = str(args.workers)
    if args.threads:
        env["INTAKE_THREADS"] = str(args.threads)
    if args.worker_class:
        env["INTAKE_WORKER_CLASS"] = args.worker_class

    subprocess.run([sys.executable, "-m", "intake", "migrate"], env=env, check=True, capture_output=True)
    cmd = [sys.executable, "-m", "gunicorn", "-c", "python:intake.gunicorn_conf", "intake:create_app()"]
    log = open(tmp / "gunicorn.log", "wb")
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    helpers = []
    if args.with_mail:
        for command in ("mail-sink", "outbox-worker"):
            # background senders at lower CPU priority than the API they share the cores with
            helpers.append(
                subprocess.Popen(
                    ["nice", "-n", "10", sys.executable, "-m", "intake", command],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        deadline = time.time() + 60
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline or server.poll() is not None:
                print((tmp / "gunicorn.log").read_text(), file=sys.stderr)
                raise SystemExit("gunicorn did not start")
            time.sleep(0.2)

        sys.path.insert(0, str(ROOT))
        os.environ.update({k: env[k] for k in ("INTAKE_BIND",)})
        for k in ("INTAKE_WORKERS", "INTAKE_THREADS", "INTAKE_WORKER_CLASS"):
            if k in env:
                os.environ[k] = env[k]
        import importlib

        import intake.gunicorn_conf as conf

        importlib.reload(conf)
        print(f"gunicorn: {' '.join(cmd)}")
        print(
            f"  workers={conf.workers} worker_class={conf.worker_class} threads={conf.threads} "
            f"bind={conf.bind} accesslog={conf.accesslog}"
        )
        print(
            f"database: {env['DATABASE_URL']} (SQLite WAL, synchronous=NORMAL)   cpus: {os.cpu_count()}   "
            f"clients: {args.clients}   outbox worker + mail sink (nice 10) running: {args.with_mail}"
        )

        run_phase(port, args.clients, 30, None, args.warmup)  # warm-up (discarded)
        phases = [("saturation (closed loop)", None)]
        if args.rate:
            phases.append((f"paced at {args.rate:.0f}/s offered (open loop)", args.rate))
        results = {
            "config": {
                "workers": conf.workers,
                "worker_class": conf.worker_class,
                "threads": conf.threads,
                "clients": args.clients,
                "with_mail": args.with_mail,
            }
        }
        for name, rate in phases:
            r = run_phase(port, args.clients, args.duration, rate, args.max_requests)
            results[name] = r
            print(f"\n{name}: {r['requests']} submissions in {r['elapsed_s']:.1f} s, statuses {r['statuses']}")
            print(f"  submissions/s: {r['per_s']:.0f}")
            print(
                f"  latency ms: p50 {r['p50_ms']:.1f}  p95 {r['p95_ms']:.1f}  p99 {r['p99_ms']:.1f}  "
                f"max {r['max_ms']:.1f}  mean {r['mean_ms']:.1f}"
            )
        paced = results.get(phases[-1][0])
        if args.rate:
            met = paced["per_s"] >= args.rate * 0.98 and paced["p99_ms"] < 50
            print(
                f"\ntarget 300/s with p99 < 50 ms: {'MET' if met else 'MISSED'} "
                f"(paced phase {paced['per_s']:.0f}/s, p99 {paced['p99_ms']:.1f} ms)"
            )
            results["target_met"] = met
        return results
    finally:
        for proc in [server, *helpers]:
            proc.terminate()
        for proc in [server, *helpers]:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()
        if args.with_mail:
            sent = len(list((tmp / "mail").glob("*.eml")))
            print(f"mails delivered to the sink by the end: {sent}")
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
