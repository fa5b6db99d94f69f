"""The action server as this bot runs it: rasa_sdk's `python -m rasa_sdk`, with its logs kept
free of shopper text (bot/log_privacy.py). The launcher starts it from bot/:
`python -m action_server --actions actions -p 5055` (the same arguments as `rasa run actions`).

`LOG_LEVEL=DEBUG` (the variable the Rasa server reads) turns on the action server's debug log
too, unless a log level is given on the command line.

Before it listens, it builds the answer chooser (the policy's clauses and topics, the clause search
over WordLlama vectors: about 1.2 s), which the actions otherwise built on the first message after
every start: the first shopper waited for it, and the health check said ready before it was.
"""

from __future__ import annotations

import os
import sys
import time
from typing import List

LEVEL_FLAGS = ("--debug", "-vv", "--verbose", "-v", "--quiet")


def with_log_level(argv: List[str], env_level: str) -> List[str]:
    """The rasa_sdk arguments, with `--debug` added when LOG_LEVEL asks for it."""
    if env_level.upper() == "DEBUG" and not any(arg in LEVEL_FLAGS for arg in argv):
        return [*argv, "--debug"]
    return list(argv)


def build_answer_chooser() -> float:
    """Build the chooser the policy actions answer with (they share it); the seconds it took."""
    started = time.perf_counter()
    from actions.answer_choice import default_chooser

    default_chooser()
    return time.perf_counter() - started


def main() -> None:
    import log_privacy

    log_privacy.install()
    sys.argv[1:] = with_log_level(sys.argv[1:], os.environ.get("LOG_LEVEL", ""))
    print(f"answer chooser built in {build_answer_chooser():.1f} s (imports included)", file=sys.stderr, flush=True)
    from rasa_sdk.__main__ import main as rasa_sdk_main

    rasa_sdk_main()


if __name__ == "__main__":
    main()
