"""REST-channel load: concurrent shopper conversations, per-message latency."""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Dict, List, Sequence
from urllib.parse import urlparse


@dataclass
class LoadResult:
    concurrency: int
    messages: int
    errors: int
    elapsed_s: float
    latencies_ms: List[float]

    @property
    def per_second(self) -> float:
        return (self.messages - self.errors) / self.elapsed_s

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered))) - 1))
        return ordered[index]

    def summary(self) -> Dict[str, float]:
        return {
            "concurrency": self.concurrency,
            "messages": self.messages,
            "errors": self.errors,
            "per_s": round(self.per_second, 1),
            "p50_ms": round(self.percentile(50), 1),
            "p95_ms": round(self.percentile(95), 1),
            "p99_ms": round(self.percentile(99), 1),
        }


class RestConversation:
    """One shopper: a keep-alive connection and a sender id of its own."""

    def __init__(self, bot_url: str):
        parsed = urlparse(bot_url)
        self.host, self.port = parsed.hostname, parsed.port
        self.connection = None
        self.sender = f"bench-{uuid.uuid4().hex[:12]}"

    def say(self, text: str) -> int:
        body = json.dumps({"sender": self.sender, "message": text}).encode()
        for attempt in (1, 2):
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
                self.connection.request(
                    "POST", "/webhooks/rest/webhook", body=body, headers={"Content-Type": "application/json"}
                )
                response = self.connection.getresponse()
                payload = response.read()
                if response.status == 200:
                    json.loads(payload)
                return response.status
            except (http.client.HTTPException, OSError):
                if self.connection is not None:
                    self.connection.close()
                self.connection = None
                if attempt == 2:
                    return 0
        return 0

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def run_conversations(bot_url: str, script: Sequence[Sequence[str]], concurrency: int) -> LoadResult:
    """Play the scripted conversations, `concurrency` of them at a time (closed loop:
    each shopper sends the next message as soon as the reply arrives)."""
    queue = list(script)
    lock = threading.Lock()
    latencies: List[float] = []
    errors = [0]

    def shopper() -> None:
        while True:
            with lock:
                if not queue:
                    return
                conversation = queue.pop()
            client = RestConversation(bot_url)
            for text in conversation:
                start = time.perf_counter()
                status = client.say(text)
                took = (time.perf_counter() - start) * 1000
                with lock:
                    latencies.append(took)
                    if status != 200:
                        errors[0] += 1
            client.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=shopper) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadResult(concurrency, len(latencies), errors[0], time.perf_counter() - started, latencies)
