"""The retention purges on a schedule: the scaled stack's ``purge`` service
(``python -m launcher.purge_schedule``).

Runs both purges at start and then every ``PURGE_INTERVAL_HOURS`` (default 24): the bot's
conversations older than ``CONVERSATION_RETENTION_DAYS`` (``python -m intake.conversation_purge``)
and the intake's own retention (``flask --app intake purge``: closed requests' personal data, sent
mail bodies, expired answer files). Each is idempotent, so a missed or doubled run does no harm;
each prints counts only. On several hosts run this on one of them, or use the systemd timer the
README shows instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_HOURS = 24.0


def interval_hours(environ: Dict[str, str]) -> float:
    raw = (environ.get("PURGE_INTERVAL_HOURS") or "").strip()
    if not raw:
        return DEFAULT_HOURS
    try:
        hours = float(raw)
    except ValueError:
        hours = 0.0
    if not 0.01 <= hours <= 24 * 7:
        raise SystemExit(f"PURGE_INTERVAL_HOURS must be a number of hours from 0.01 to 168, not {raw!r}")
    return hours


def commands() -> List[List[str]]:
    return [
        [str(BIN / "python"), "-m", "intake.conversation_purge"],
        [str(BIN / "flask"), "--app", "intake", "purge"],
    ]


def run_once(environ: Optional[Dict[str, str]] = None) -> List[int]:
    """Both purges, one after the other (a failure of one does not skip the other); exit codes."""
    codes = []
    for command in commands():
        done = subprocess.run(command, cwd=ROOT, env=environ or dict(os.environ))
        print(f"purge-schedule: {' '.join(command[1:])} exited {done.returncode}", flush=True)
        codes.append(done.returncode)
    return codes


def main() -> int:
    hours = interval_hours(dict(os.environ))
    print(f"purge-schedule: both purges now and every {hours:g} hours", flush=True)
    while True:
        run_once()
        time.sleep(hours * 3600)


if __name__ == "__main__":
    sys.exit(main())
