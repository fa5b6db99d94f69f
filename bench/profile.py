"""Where the time per message goes in our bot, one conversation at a time (`make bench` runs this).

Run as its own process from the bot folder (`python -m bench.profile --model ... --endpoints ...`):
loads the model in a Rasa `Agent` with the endpoints file the launcher wrote (tracker store, lock
store, action server), with bot/rasa_server.py's fixes installed as the Rasa server has them, and times
Rasa's stages around every message of the shopper script by wrapping them:

- `nlu`: `MessageProcessor.parse_message` (the NLU pipeline);
- `policies`: `MessageProcessor._predict_next_with_tracker` (RulePolicy, every prediction step);
- `tracker load` / `tracker save`: the tracker store's `retrieve` / `save`;
- `lock store`: every call into the lock store (ticket, lock, clean-up);
- `action server`: the HTTP round trip to the action server (`EndpointConfig.request`);
- `action payload and reply check`: the rest of `RemoteAction.run` (building the tracker payload,
  validating and applying the reply);
- `total`: `Agent.handle_message`; what the stages leave is Rasa's own work (events, action loop).

Prints one JSON object: the median milliseconds per message of each stage and the total.
Without the REST channel and the HTTP server: the bench's 1-conversation p50 minus `total` is that.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import inspect
import json
import logging
import statistics
import time
import uuid
from collections import defaultdict
from typing import Dict, List

STAGES = (
    "nlu",
    "policies",
    "tracker load",
    "tracker save",
    "lock store",
    "action server",
    "action payload and reply check",
)


class Timings:
    def __init__(self) -> None:
        self.current: Dict[str, float] = defaultdict(float)

    def wrap(self, owner, name: str, stage: str) -> None:
        original = getattr(owner, name)
        timings = self

        if inspect.iscoroutinefunction(original):

            @functools.wraps(original)
            async def timed(*args, **kwargs):
                started = time.perf_counter()
                try:
                    return await original(*args, **kwargs)
                finally:
                    timings.current[stage] += (time.perf_counter() - started) * 1000

        else:

            @functools.wraps(original)
            def timed(*args, **kwargs):
                started = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    timings.current[stage] += (time.perf_counter() - started) * 1000

        setattr(owner, name, timed)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--endpoints", required=True)
    parser.add_argument("--script", required=True, help="JSON: a list of conversations (lists of texts)")
    args = parser.parse_args()

    import log_privacy
    import rasa_server
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent
    from rasa.core.channels import UserMessage
    from rasa.core.lock_store import LockStore
    from rasa.core.processor import MessageProcessor
    from rasa.core.utils import AvailableEndpoints
    from rasa.utils.endpoints import EndpointConfig
    from rasa.utils.log_utils import configure_structlog

    log_privacy.install()
    rasa_server.install()
    configure_structlog(logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)

    endpoints = AvailableEndpoints.read_endpoints(args.endpoints)
    script: List[List[str]] = json.loads(open(args.script, encoding="utf-8").read())

    async def run() -> Dict[str, float]:
        from rasa.core.lock_store import LockStore as _LockStore
        from rasa.core.tracker_store import TrackerStore

        agent = Agent.load(
            args.model,
            action_endpoint=endpoints.action,
            tracker_store=TrackerStore.create(endpoints.tracker_store),
            lock_store=_LockStore.create(endpoints.lock_store),
        )
        timings = Timings()
        timings.wrap(MessageProcessor, "parse_message", "nlu")
        timings.wrap(MessageProcessor, "_predict_next_with_tracker", "policies")
        timings.wrap(agent.tracker_store, "retrieve", "tracker load")
        timings.wrap(agent.tracker_store, "save", "tracker save")
        for name in ("issue_ticket", "get_lock", "update_lock", "cleanup", "save_lock", "delete_lock"):
            if hasattr(agent.lock_store, name) and not isinstance(getattr(LockStore, name, None), property):
                timings.wrap(agent.lock_store, name, "lock store")
        timings.wrap(EndpointConfig, "request", "action server")
        timings.wrap(RemoteAction, "run", "remote action")

        per_message: List[Dict[str, float]] = []
        for index, conversation in enumerate(script):
            sender = f"profile-{uuid.uuid4().hex[:12]}"
            for text in conversation:
                timings.current.clear()
                started = time.perf_counter()
                await agent.handle_message(UserMessage(text, sender_id=sender))
                total = (time.perf_counter() - started) * 1000
                if index < 3:  # warm-up
                    continue
                row = {stage: timings.current.get(stage, 0.0) for stage in STAGES}
                row["action payload and reply check"] = max(
                    0.0, timings.current.get("remote action", 0.0) - row["action server"]
                )
                row["total"] = total
                per_message.append(row)
        result = {stage: round(statistics.median(r[stage] for r in per_message), 2) for stage in (*STAGES, "total")}
        result["mean total"] = round(statistics.mean(r["total"] for r in per_message), 2)
        for stage in STAGES:
            result[f"mean {stage}"] = round(statistics.mean(r[stage] for r in per_message), 2)
        result["messages"] = len(per_message)
        return result

    print(json.dumps(asyncio.run(run())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
