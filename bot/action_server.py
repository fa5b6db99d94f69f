"""The action server as this bot runs it: rasa_sdk's `python -m rasa_sdk`, with its logs kept
free of shopper text (bot/log_privacy.py). The launcher starts it from bot/:
`python -m action_server --actions actions -p 5055` (the same arguments as `rasa run actions`).

`LOG_LEVEL=DEBUG` (the variable the Rasa server reads) turns on the action server's debug log
too, unless a log level is given on the command line.
"""

from __future__ import annotations

import os
import sys
from typing import List

LEVEL_FLAGS = ("--debug", "-vv", "--verbose", "-v", "--quiet")


def with_log_level(argv: List[str], env_level: str) -> List[str]:
    """The rasa_sdk arguments, with `--debug` added when LOG_LEVEL asks for it."""
    if env_level.upper() == "DEBUG" and not any(arg in LEVEL_FLAGS for arg in argv):
        return [*argv, "--debug"]
    return list(argv)


def main() -> None:
    import log_privacy

    log_privacy.install()
    sys.argv[1:] = with_log_level(sys.argv[1:], os.environ.get("LOG_LEVEL", ""))
    from rasa_sdk.__main__ import main as rasa_sdk_main

    rasa_sdk_main()


if __name__ == "__main__":
    main()
