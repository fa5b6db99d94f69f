"""What counts as an email address: the bot accepts exactly what the intake stores.

local@domain.tld in ASCII: dot-separated atoms on the left (no leading, trailing or double
dot), at most 64 characters; on the right, dot-separated labels of letters, digits and
inner hyphens ending in a top-level domain of 2 to 63 letters; at most 254 characters in all.
"""

import re

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = rf"{_ATOM}(?:\.{_ATOM})*"
_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
_EMAIL = re.compile(rf"(?P<local>{_LOCAL})@{_DOMAIN}")

MAX_LENGTH = 254
MAX_LOCAL_LENGTH = 64


def is_valid_email(value: object) -> bool:
    """True for an address both the bot and the intake accept (no trimming is done here)."""
    if not isinstance(value, str) or len(value) > MAX_LENGTH:
        return False
    match = _EMAIL.fullmatch(value)
    return bool(match) and len(match.group("local")) <= MAX_LOCAL_LENGTH
