"""Starts the whole stack on loopback: mail sink, intake, outbox worker,
action server, Rasa server and the demo site. Used by `make run` and by the
end-to-end and browser tests (which start it on free ports)."""

from .stack import Ports, Stack, free_port

__all__ = ["Ports", "Stack", "free_port"]
