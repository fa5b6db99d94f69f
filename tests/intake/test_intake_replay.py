"""Replay protection's store: accepted signatures are remembered for as long as a replay could
pass the timestamp check, and forgotten after that by the outbox worker's loop."""

from __future__ import annotations

import datetime as dt
import json

from intake_support import API_SECRET, request_body

from intake.signing import signed_headers


def test_the_worker_forgets_only_signatures_past_the_replay_window(live):
    raw = json.dumps(request_body()).encode()
    headers = {"Content-Type": "application/json", **signed_headers(API_SECRET, raw)}
    assert live.http.post(live.url("/api/v1/requests"), data=raw, headers=headers).status_code == 201

    max_age = live.app.config["SIGNATURE_MAX_AGE"]
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    window = dt.timedelta(seconds=2 * max_age + 60)
    live.sql(
        "INSERT INTO used_signatures (signature, used_at) VALUES ('old', :a), ('recent', :b)",
        a=now - window - dt.timedelta(seconds=30),
        b=now - window + dt.timedelta(seconds=30),
    )

    live.run_worker()

    kept = sorted(s for (s,) in live.sql("SELECT signature FROM used_signatures"))
    assert "old" not in kept and "recent" in kept and len(kept) == 2
    # the request's own signature is still remembered: its replay is still refused
    again = live.http.post(live.url("/api/v1/requests"), data=raw, headers=headers)
    assert again.status_code == 401 and again.json()["error"]["code"] == "replayed"
