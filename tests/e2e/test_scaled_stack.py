"""The production shape (launcher/scaled.py, `make run-scaled`): two Rasa servers and two action
servers behind nginx, conversations in PostgreSQL, the Redis lock store. A conversation's messages
may land on any Rasa server, one may crash or restart, and the shopper's form carries on.

The stack is started once per session (the ``scaled_stack`` fixture, tests/conftest.py); the
representative end-to-end tests run against it too (tests/e2e/test_policy_answers.py and
test_request_flows.py, parametrised with ``any_stack``)."""

import re
import uuid

import pytest

from .chat import Chat
from .mailbox import row
from .test_conversation_store import stored_events

pytestmark = pytest.mark.slow

REFERENCE = re.compile(r"\b(SM-[0-9A-Z]{4}-[0-9A-Z]{4})\b")
OPENING = "can you send me a copy of all the personal data you hold about me?"


def new_email(label):
    return f"{label}.{uuid.uuid4().hex[:8]}@example.com"


def chats_on(urls, sender=None):
    """One conversation (one sender id) whose turn i goes to urls[i % len(urls)]."""
    sender = sender or f"test-{uuid.uuid4().hex[:12]}"
    return [Chat(url, sender=sender) for url in urls]


def access_form(say, name, email):
    """An access request's four turns, each checked: the form asks its questions in order, the
    summary has what earlier turns gave, and 'yes' lodges it. Returns the reference."""
    first = say(0, OPENING)
    assert {"kind": "request", "request_type": "access"} in first.payloads, first.text
    assert "full name" in first.text.lower(), first.text
    assert "email" in say(1, name).text.lower(), "the name was taken and the form asks for the email"
    summary = say(2, email)
    assert "Shall I send it?" in summary.text, summary.text
    assert name in summary.text and email in summary.text, f"the slots given on other servers: {summary.text}"
    done = say(3, "yes")
    match = REFERENCE.search(done.text)
    assert match, done.text
    return match.group(1)


def assert_lodged(stack, reference, sender, name, email):
    stored = row(stack.database_url, "dsar_requests", reference=reference)
    assert stored is not None, reference
    assert stored["request_type"] == "access" and stored["status"] == "awaiting_verification"
    assert stored["requester_name"] == name and stored["requester_email"] == email
    assert stored["source_conversation_id"] == sender


def user_turns(stack, sender):
    return [data.get("text") for kind, _, data in stored_events(stack.tracker_store_url, sender) if kind == "user"]


def upstream_ports(entries):
    return {int(addr.rsplit(":", 1)[1]) for entry in entries for addr in entry.split(", ") if ":" in addr}


def test_the_shape_is_postgresql_redis_and_nginx(scaled_stack):
    env = scaled_stack.env()
    assert scaled_stack.tracker_store_url.startswith("postgresql://")
    assert scaled_stack.database_url.startswith("postgresql://")
    assert env["LOCK_STORE_URL"].startswith("redis://") and env["INTAKE_RATELIMIT_STORAGE_URI"].startswith("redis://")
    endpoints = (scaled_stack.var_dir / "endpoints.yml").read_text()
    assert f'"http://127.0.0.1:{scaled_stack.ports.actions}/webhook"' in endpoints, "actions go through nginx"
    assert 'type: "redis"' in endpoints and 'dialect: "postgresql"' in endpoints
    site = scaled_stack.nginx_site_path.read_text()
    assert "proxy_next_upstream error timeout;" in site and "ip_hash" not in site and "sticky" not in site
    for port in scaled_stack.rasa_ports + scaled_stack.action_ports:
        assert f"server 127.0.0.1:{port} " in site


def test_a_form_alternating_between_the_two_rasa_servers_keeps_its_slots_and_order(scaled_stack):
    chats = chats_on([scaled_stack.rasa_server_url(1), scaled_stack.rasa_server_url(2)])
    name, email = "Robin Hale", new_email("alternate")
    reference = access_form(lambda i, text: chats[i % 2].say(text), name, email)
    assert_lodged(scaled_stack, reference, chats[0].sender, name, email)
    assert user_turns(scaled_stack, chats[0].sender) == [OPENING, name, email, "yes"], "stored once each, in order"


def test_the_same_form_through_nginx_uses_both_servers_without_sticky_sessions(scaled_stack):
    nginx = scaled_stack.nginx
    before = len(nginx.upstreams_used())
    chat = Chat(scaled_stack.rasa_url)
    name, email = "Alex Morgan", new_email("nginx")
    reference = access_form(lambda i, text: chat.say(text), name, email)
    assert_lodged(scaled_stack, reference, chat.sender, name, email)
    assert user_turns(scaled_stack, chat.sender) == [OPENING, name, email, "yes"]
    used = upstream_ports(nginx.upstreams_used()[before:])
    assert set(scaled_stack.rasa_ports) <= used, f"both Rasa servers answered this conversation: {used}"
    assert used & set(scaled_stack.action_ports), "Rasa called the actions through nginx"


def test_a_rasa_server_killed_mid_form_loses_nothing_nginx_fails_over(scaled_stack):
    chat = Chat(scaled_stack.rasa_url)
    name, email = "Jo Carter", new_email("killed")

    def say(i, text):
        if i == 2:  # after the name: one Rasa server crashes
            scaled_stack.kill_service("rasa-1")
            before[0] = len(scaled_stack.nginx.upstreams_used())
        return chat.say(text)

    before = [0]
    reference = access_form(say, name, email)
    assert_lodged(scaled_stack, reference, chat.sender, name, email)
    after = scaled_stack.nginx.upstreams_used()[before[0] :]
    answered_by = {int(entry.split(", ")[-1].rsplit(":", 1)[1]) for entry in after if entry != "-"}
    assert scaled_stack.rasa_ports[0] not in answered_by, after
    assert scaled_stack.rasa_ports[1] in answered_by, after
    # rasa-1 is started again by the next test (in parallel with its own restart) or at teardown


def test_a_restarted_rasa_server_continues_the_conversation_from_postgresql(scaled_stack):
    dead = [name for name in ("rasa-1", "rasa-2") if not scaled_stack.service(name).running()]
    for name in dead:  # e.g. the server the previous test killed: it loads while rasa-2 restarts
        scaled_stack.service(name).start()
    chat = Chat(scaled_stack.rasa_server_url(2))
    name, email = "Sam Patel", new_email("restart")

    def say(i, text):
        if i == 2:  # the name is given; rasa-2 is stopped and started again (a redeploy)
            scaled_stack.restart_service("rasa-2")
            for other in dead:
                scaled_stack.service(other).wait_ready()
        return chat.say(text)

    reference = access_form(say, name, email)
    assert_lodged(scaled_stack, reference, chat.sender, name, email)
    assert all(scaled_stack.service(name).running() for name in ("rasa-1", "rasa-2"))


def test_the_retention_purges_run_on_a_schedule_in_the_scaled_stack(scaled_stack):
    """Both purges (conversations, the intake's own retention) run at start, then every
    PURGE_INTERVAL_HOURS: each exits 0 against the stack's PostgreSQL."""
    import time

    log = scaled_stack.var_dir / "log" / "purge.log"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        text = log.read_text() if log.exists() else ""
        if text.count(" exited ") >= 2:
            break
        time.sleep(1)
    assert "intake.conversation_purge exited 0" in text, text
    assert "--app intake purge exited 0" in text, text
    assert "purge-conversations:" in text and "every 24 hours" in text
