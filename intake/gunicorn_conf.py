"""gunicorn settings for production: ``gunicorn -c python:intake.gunicorn_conf 'intake:create_app()'``.

Loopback by default.  The access log (off unless INTAKE_ACCESS_LOG is set) prints the path
without the query string, so the status look-up's ``email=`` never reaches a log.
"""

import multiprocessing
import os

bind = os.environ.get("INTAKE_BIND", "127.0.0.1:5100")
# CPU-bound sync workers: one per core plus one (3 on the 2-core box; see bench/intake_bench.py)
workers = int(os.environ.get("INTAKE_WORKERS", str(multiprocessing.cpu_count() + 1)))
worker_class = os.environ.get("INTAKE_WORKER_CLASS", "sync")
threads = int(os.environ.get("INTAKE_THREADS", "1"))
backlog = 256
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = os.environ.get("INTAKE_ACCESS_LOG") or None
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("INTAKE_GUNICORN_LOGLEVEL", "info")
proc_name = "sm-intake"
