"""`python -m launcher.shell` (make shell): rasa shell for staff, with the
action server, intake, outbox worker and mail sink running behind it. The shell
keeps its conversations in the same tracker store as `make run` (TRACKER_STORE_URL)."""

from __future__ import annotations

import subprocess
import sys
from typing import Dict, List, Tuple

from .processes import StartupError
from .stack import BOT_DIR, RASA_COMMAND, Ports, Stack

SHELL_SERVICES = ("mail", "intake", "outbox", "actions")


def shell_command(stack: Stack) -> Tuple[List[str], Dict[str, str]]:
    """`rasa shell`'s command and environment, with the endpoints file written: the stack's
    action server and the tracker and lock stores `rasa run` uses (SettingError if unusable)."""
    endpoints = stack.rasa_endpoints()
    path = endpoints.write(stack.var_dir / "shell-endpoints.yml")
    if endpoints.sqlite_path:
        endpoints.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    command = [*RASA_COMMAND, "shell", "-m", str(stack.model_path), "--endpoints", str(path)]
    return command, {**stack.env(), **endpoints.env}


def main() -> int:
    ports = Ports.free()
    stack = Stack(ports=ports, services=SHELL_SERVICES)
    try:
        command, env = shell_command(stack)  # a bad store setting stops here, before anything starts
        print("Starting the action server and intake for the shell…", flush=True)
        stack.start()
    except StartupError as error:
        print(f"Could not start: {error}", file=sys.stderr)
        return 1
    print(f"Emails the bot causes land in {stack.mail_dir}/ ; type /stop to quit.", flush=True)
    try:
        return subprocess.call(command, cwd=BOT_DIR, env=env)
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
