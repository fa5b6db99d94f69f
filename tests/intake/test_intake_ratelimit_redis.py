"""Rate limits shared by every gunicorn worker through Redis (INTAKE_RATELIMIT_STORAGE_URI=redis://).

The production shape: the intake under gunicorn with two sync workers, on PostgreSQL, counting in
the session's own Redis.  Requests sent at once over fresh connections land on both workers (the
access log names the process that served each one), and still only the limit gets through: with
``memory://`` each worker would let the limit through on its own.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from collections import Counter

import requests
from intake_support import ROOT, free_port, subprocess_env, wait_for

LIMIT = 10
SENT = 30
HEALTH_LINE = re.compile(r"^pid=<?(\d+)>? status=200 path=/healthz$", re.M)
ACCESS_LINE = re.compile(r"^pid=<?(\d+)>? status=(\d+) path=/api/v1/requests/SM-AAAA-BBBB/status$", re.M)


def test_the_status_limit_holds_across_two_gunicorn_workers(pg_db_url, redis_server, tmp_path):
    redis_server.client().flushdb()
    port = free_port()
    access_log = tmp_path / "access.log"
    env = subprocess_env(
        pg_db_url,
        INTAKE_BIND=f"127.0.0.1:{port}",
        INTAKE_WORKERS="2",
        INTAKE_RATELIMIT_STORAGE_URI=redis_server.url,
        INTAKE_STATUS_RATE_LIMIT=f"{LIMIT} per minute",
        SMTP_PORT=free_port(),
        MAIL_DIR=str(tmp_path / "m"),
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:intake.gunicorn_conf",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "pid=%(p)s status=%(s)s path=%(U)s",
            "intake:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    codes: list[int] = []
    retry_after: list[str] = []
    try:

        def up():
            try:
                return requests.get(base + "/healthz", timeout=1).status_code == 200
            except (requests.ConnectionError, requests.Timeout):
                return False

        wait_for(up, timeout=60, interval=0.2)

        def both_workers_serve():
            # each worker loads the app after it forks: poke /healthz in pairs until two have answered
            pokes = [threading.Thread(target=up) for _ in range(4)]
            for t in pokes:
                t.start()
            for t in pokes:
                t.join()
            return len(set(HEALTH_LINE.findall(open(access_log).read()))) == 2

        wait_for(both_workers_serve, timeout=60, interval=0.2)
        gate = threading.Barrier(6)
        lock = threading.Lock()

        def client():
            gate.wait()
            for _ in range(SENT // 6):
                # a fresh connection each time (no keep-alive), so any worker may take it
                r = requests.get(
                    base + "/api/v1/requests/SM-AAAA-BBBB/status",
                    params={"email": "x@example.org"},
                    headers={"Connection": "close"},
                    timeout=10,
                )
                with lock:
                    codes.append(r.status_code)
                    if r.status_code == 429:
                        retry_after.append(r.headers.get("Retry-After", ""))

        threads = [threading.Thread(target=client) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        wait_for(lambda: len(ACCESS_LINE.findall(open(access_log).read())) == SENT, timeout=10)
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out.decode(errors="replace")[-3000:]
    assert Counter(codes) == {404: LIMIT, 429: SENT - LIMIT}, Counter(codes)
    assert all(value.isdigit() and 0 < int(value) <= 60 for value in retry_after)
    served_by = Counter(pid for pid, _ in ACCESS_LINE.findall(open(access_log).read()))
    assert len(served_by) == 2, f"one worker served every request ({served_by}): the test proved nothing"
    assert redis_server.client().dbsize() > 0  # the counts live in Redis
