"""Refuse JSON bodies nested deeper than any schema of this service, before parsing them.

Python's JSON parser and the validators recurse once per level, so a body of a few thousand
``[`` (well under the size limits) raised RecursionError: a 500 for anyone holding a valid
signature.  The scan is linear in the body, which the size limits already bound.
"""

from __future__ import annotations

import re

from .errors import ApiError

#: The deepest body the schemas describe is 3 levels (a transcript entry); this leaves room.
MAX_DEPTH = 32

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]")


def check_depth(raw: bytes, max_depth: int = MAX_DEPTH) -> None:
    """Raise a 400 ``too_deeply_nested`` when ``raw`` opens more than ``max_depth`` levels."""
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b"", raw))  # brackets outside strings only
    depth = 0
    for byte in brackets:
        if byte in b"[{":
            depth += 1
            if depth > max_depth:
                raise ApiError(400, "too_deeply_nested", f"The JSON body is nested more than {max_depth} levels deep.")
        else:
            depth -= 1
