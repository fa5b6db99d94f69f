"""Personal data taken out of a shopper's question before staff see it for labelling.

A question the bot could not answer is exported for labelling (quality/review.py) without its
conversation id or time, and with what commonly identifies a person replaced by a placeholder:
email addresses, links, phone numbers and other long numbers (order, card, account numbers),
request references, UK postcodes, street addresses and a name given as "my name is ...".

This is a first pass, not a guarantee: a name in the middle of a sentence is not recognisable by
pattern. Staff read every question before they label it, and a labelled question is refused
(`personal_data_in`) while a pattern still finds something.
"""

from __future__ import annotations

import re
from typing import List, Tuple

# (placeholder, pattern), applied in this order: emails and links before the numbers inside them.
_PATTERNS: List[Tuple[str, re.Pattern]] = [
    ("[email]", re.compile(r"[^\s<>(),;\"']*@[^\s<>(),;\"']+")),
    ("[link]", re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)),
    ("[reference]", re.compile(r"\bSM-[0-9A-Z]{4}-[0-9A-Z]{4}\b", re.IGNORECASE)),
    # a UK postcode: "SW1A 1AA", "m1 1ae", "B33 8TH"
    ("[postcode]", re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b", re.IGNORECASE)),
    # a house number and a street: "12 High Street", "4a Mill Lane"
    (
        "[address]",
        re.compile(
            r"\b\d+[a-z]?,? (?:[A-Za-z]+ ){1,3}(?:street|st|road|rd|lane|ln|avenue|ave|close|drive|way|"
            r"place|court|crescent|terrace|gardens|grove|square|hill|park|row|walk|mews)\b",
            re.IGNORECASE,
        ),
    ),
    # "#1042" (a Shopify order number), or five digits or more, spaces, dots and dashes allowed
    # between them: phone, card, order and account numbers. "30 days" and "2018" stay.
    ("[number]", re.compile(r"#\s?\d+|\+?\d(?:[\s.()-]*\d){4,}")),
    # a name given as such: "my name is Jo Bloggs", "I'm called Sam", "name's Alex"
    (
        "[name]",
        re.compile(
            r"(?<=\bmy name is )[A-Za-z'-]+(?: [A-Z][A-Za-z'-]+)?|(?<=\bname's )[A-Za-z'-]+(?: [A-Z][A-Za-z'-]+)?"
            r"|(?<=\bi'm called )[A-Za-z'-]+(?: [A-Z][A-Za-z'-]+)?|(?<=\bi am called )[A-Za-z'-]+(?: [A-Z][A-Za-z'-]+)?",
            re.IGNORECASE,
        ),
    ),
]
PLACEHOLDERS = tuple(placeholder for placeholder, _ in _PATTERNS)


def redact(text: str) -> str:
    """`text` with each kind of personal data the patterns recognise replaced by its placeholder."""
    for placeholder, pattern in _PATTERNS:
        text = pattern.sub(placeholder, text)
    return text


def personal_data_in(text: str) -> List[str]:
    """The placeholders of the kinds of personal data a pattern still finds in `text` (empty: none)."""
    found = []
    for placeholder, pattern in _PATTERNS:
        # the placeholders themselves are not personal data
        if any(match.group(0) not in PLACEHOLDERS for match in pattern.finditer(text)):
            found.append(placeholder)
    return found
