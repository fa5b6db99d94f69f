"""`python -m launcher`: run the whole product on embedded defaults (make run)."""

from __future__ import annotations

import argparse
import signal
import sys
import time

from .processes import StartupError
from .stack import ALL_SERVICES, Ports, Stack


def main() -> int:
    parser = argparse.ArgumentParser(description="Run the Session Music privacy assistant locally.")
    parser.add_argument("--only", nargs="*", choices=ALL_SERVICES, default=list(ALL_SERVICES))
    args = parser.parse_args()
    stack = Stack(ports=Ports(), services=args.only)
    print("Starting:", ", ".join(stack.services), "(Rasa takes about 20 s to load the model)…", flush=True)
    try:
        stack.start()
    except StartupError as error:
        print(f"\nCould not start: {error}", file=sys.stderr)
        return 1
    print(
        f"""
Session Music privacy assistant is running.

  Demo shop with the chat widget:  {stack.demo_url}/
  Privacy policy page:             {stack.policy_url}
  Staff pages (intake):            {stack.intake_url}/staff/
  Bot REST channel:                {stack.rasa_url}/webhooks/rest/webhook
  Mail sink (every email sent):    {stack.mail_dir}/
  Logs:                            {stack.var_dir / "log"}/

Press Ctrl-C to stop.""",
        flush=True,
    )
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    try:
        while not stopping:
            for service in list(stack._running):
                if not service.running():
                    print(f"{service.name} stopped unexpectedly; see {service.log_path}", file=sys.stderr)
                    stopping.append(True)
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        print("\nStopping…", flush=True)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
