"""`python -m launcher.shell` (make shell): rasa shell for staff, with the
action server, intake, outbox worker and mail sink running behind it."""
from __future__ import annotations

import subprocess
import sys

from .processes import StartupError
from .stack import BOT_DIR, RASA_COMMAND, Ports, Stack


def main() -> int:
    ports = Ports.free()
    stack = Stack(ports=ports, services=("mail", "intake", "outbox", "actions"))
    print("Starting the action server and intake for the shell…", flush=True)
    try:
        stack.start()
    except StartupError as error:
        print(f"Could not start: {error}", file=sys.stderr)
        return 1
    endpoints = stack.var_dir / "shell-endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "{stack.actions_url}/webhook"\n')
    print(f"Emails the bot causes land in {stack.mail_dir}/ ; type /stop to quit.", flush=True)
    try:
        return subprocess.call(
            [*RASA_COMMAND, "shell", "-m", str(stack.model_path), "--endpoints", str(endpoints)],
            cwd=BOT_DIR, env=stack.env(),
        )
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
