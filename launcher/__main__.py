"""`python -m launcher`: run the whole product on embedded defaults (make run);
`python -m launcher --scaled`: the production shape on loopback (make run-scaled, launcher/scaled.py)."""

from __future__ import annotations

import argparse
import signal
import sys
import time

from .processes import StartupError
from .stack import ALL_SERVICES, ROOT, Ports, Stack


def scaled_stack() -> Stack:
    """RASA_SERVERS Rasa servers (5006, 5007, ...) and ACTION_SERVERS action servers (5056, ...)
    behind nginx on the ports `make run` gives the single ones (5005, 5055)."""
    import os

    from .scaled import ScaledStack, server_count

    rasa_servers = server_count(os.environ, "RASA_SERVERS")
    action_servers = server_count(os.environ, "ACTION_SERVERS")
    ports = Ports()
    return ScaledStack(
        ports=ports,
        rasa_ports=[ports.rasa + i for i in range(1, rasa_servers + 1)],
        action_ports=[ports.actions + i for i in range(1, action_servers + 1)],
        services_dir=ROOT / "var" / "services",
        install_missing=True,
    )


def describe_scaled(stack) -> str:
    def where(url_variable: str, local) -> str:
        if local is not None:
            return f"local throw-away instance, 127.0.0.1:{local.port} (deleted at Ctrl-C)"
        return f"{url_variable} as configured"

    rasa = ", ".join(f"127.0.0.1:{port}" for port in stack.rasa_ports)
    actions = ", ".join(f"127.0.0.1:{port}" for port in stack.action_ports)
    return f"""
  Production shape: {len(stack.rasa_ports)} Rasa server(s) ({rasa}) and {len(stack.action_ports)} action server(s)
  ({actions}) behind nginx; Rasa's action endpoint is nginx at {stack.actions_url}.
  nginx site file:                 {stack.nginx_site_path}
  PostgreSQL (intake, conversations): {where("DATABASE_URL / TRACKER_STORE_URL", stack.postgres)}
  Redis (lock store, rate limits): {where("LOCK_STORE_URL / INTAKE_RATELIMIT_STORAGE_URI", stack.redis)}"""


def main() -> int:
    parser = argparse.ArgumentParser(description="Run the Session Music privacy assistant locally.")
    parser.add_argument("--only", nargs="*", choices=ALL_SERVICES, default=list(ALL_SERVICES))
    parser.add_argument(
        "--scaled",
        action="store_true",
        help="the production shape: RASA_SERVERS Rasa and ACTION_SERVERS action servers behind nginx, "
        "PostgreSQL and Redis (local throw-away ones unless their URLs are set)",
    )
    args = parser.parse_args()
    try:
        stack = scaled_stack() if args.scaled else Stack(ports=Ports(), services=args.only)
        print("Starting:", ", ".join(stack.services), "(Rasa takes about 20 s to load the model)…", flush=True)
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
  Logs:                            {stack.var_dir / "log"}/{describe_scaled(stack) if args.scaled else ""}

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
