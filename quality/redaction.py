"""Personal data taken out of a shopper's question before staff see it for labelling.

A question the bot could not answer is exported for labelling (quality/review.py) without its
conversation id or time, and with what commonly identifies a person replaced by a placeholder:
email addresses (also written "jo at example dot com"), links and web addresses, phone numbers and
other long numbers (card, account numbers), order, account and invoice numbers, dates (a date of
birth), request references, UK postcodes, street addresses, and a name given as such ("my name is
...", "I'm called ...", "name: ...", "I am Jo Bloggs").

This is a first pass, not a guarantee: a name in the middle of a sentence is not recognisable by
pattern. Staff read every question before they label it, and a labelled question is refused
(`personal_data_in`) while a pattern still finds something.
"""

from __future__ import annotations

import re
from typing import Callable, List, Tuple, Union

_APOSTROPHE = "['\u2019]"  # phone keyboards type the curly one
# A name's words: letters, hyphens and apostrophes ("Mary-Jane", "O'Neil", "O\u2019Neil"); after the
# first, only capitalised words ("my name is Jo Bloggs and ..." stops before "and").
_FIRST_NAME_WORD = r"[^\W\d_](?:[^\W\d_]|['\u2019-])*"
_NEXT_NAME_WORD = r"(?-i:[A-Z])(?:[^\W\d_]|['\u2019-])+"
# Words that follow "my name is" in a question about a name rather than in giving one.
_NOT_A_NAME = {
    "a", "also", "being", "changed", "correct", "different", "displayed", "kept", "misspelled",
    "misspelt", "missing", "not", "on", "only", "public", "right", "shared", "shown", "spelled",
    "spelt", "still", "stored", "the", "used", "visible", "wrong", "incorrect", "in", "and", "or",
}  # fmt: skip


def _name(match: re.Match) -> str:
    """Keeps the words that introduce a name, replaces the name (unless the next word shows it is a
    question about a name: "what if my name is wrong")."""
    first = match.group("value").split()[0].lower()
    if first in _NOT_A_NAME:
        return match.group(0)
    return match.group("keep") + "[name]"


def _number(match: re.Match) -> str:
    """A long number is replaced, except a span of years ("the 2019-2020 policy")."""
    if re.fullmatch(r"(?:19|20)\d\d\s*[-\u2013/]\s*(?:19|20)?\d\d", match.group(0)):
        return match.group(0)
    return "[number]"


def _keep_then(placeholder: str) -> Callable[[re.Match], str]:
    return lambda match: match.group("keep") + placeholder


_Replacement = Union[str, Callable[[re.Match], str]]
# (placeholder, pattern, replacement), applied in this order: emails and links before the numbers
# inside them, names last.
_PATTERNS: List[Tuple[str, re.Pattern, _Replacement]] = [
    ("[email]", re.compile(r"[\w.+-]*\s?@\s?[^\s<>(),;\"']+"), "[email]"),
    (
        "[email]",
        re.compile(
            r"\b[\w.+-]+\s*(?:\(at\)|\[at\]|\bat\b)\s*[\w-]+(?:\s*(?:\.|\(dot\)|\[dot\]|\bdot\b)\s*[\w-]+)*"
            r"\s*(?:\.|\(dot\)|\[dot\]|\bdot\b)\s*(?:com|net|org|uk|io|me|info|ie)\b",
            re.IGNORECASE,
        ),
        "[email]",
    ),
    ("[link]", re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE), "[link]"),
    (
        "[link]",
        re.compile(r"\b(?:[a-z0-9-]+\.)+(?:com|net|org|co\.uk|uk|io|shop|info)\b(?:/\S*)?", re.IGNORECASE),
        "[link]",
    ),
    ("[reference]", re.compile(r"\bSM-?[0-9A-Z]{4}-?[0-9A-Z]{4}\b", re.IGNORECASE), "[reference]"),
    # a UK postcode: "SW1A 1AA", "SW1A1AA", "m1 1ae", "B33 8TH"
    ("[postcode]", re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b", re.IGNORECASE), "[postcode]"),
    # a house number and a street: "12 High Street", "4a Mill Lane"
    (
        "[address]",
        re.compile(
            r"\b\d+[a-z]?,? (?:[A-Za-z]+ ){1,3}(?:street|st|road|rd|lane|ln|avenue|ave|close|drive|way|"
            r"place|court|crescent|terrace|gardens|grove|square|hill|park|row|walk|mews)\b",
            re.IGNORECASE,
        ),
        "[address]",
    ),
    # a date: "12/03/1985", "1.3.85" (a date of birth, an order date)
    ("[date]", re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"), "[date]"),
    # an order, account or invoice number of three digits or more: "order 1042", "order no. 1042"
    (
        "[number]",
        re.compile(
            r"(?P<keep>\b(?:order|account|invoice|customer|membership|receipt|ref(?:erence)?)"
            r"(?:\s+(?:no\.?|number|num|id|ref))?\s*[:.]?\s*)#?\s?\d{3,}",
            re.IGNORECASE,
        ),
        _keep_then("[number]"),
    ),
    # "#1042" (a Shopify order number), or five digits or more, spaces, dots and dashes allowed
    # between them: phone, card, order and account numbers. "30 days" and "2018" stay.
    ("[number]", re.compile(r"#\s?\d+|\+?\d(?:[\s.()-]*\d){4,}"), _number),
    # a name given as such: "my name is Jo Bloggs", "my name's jo", "I'm called Sam", "name: Alex Smith"
    (
        "[name]",
        re.compile(
            rf"(?P<keep>(?:\bmy\s+name(?:\s+is|{_APOSTROPHE}s)|\bi(?:{_APOSTROPHE}m|\s+am)\s+called|\bi\s+am\s+named"
            rf"|\bname\s*[:=])\s*)(?P<value>{_FIRST_NAME_WORD}(?:\s+{_NEXT_NAME_WORD})*)",
            re.IGNORECASE,
        ),
        _name,
    ),
    # "I am Jo Bloggs", "I'm Priya Shah": two capitalised words or more after "I am" / "I'm"
    (
        "[name]",
        re.compile(
            rf"(?P<keep>\b(?i:i(?:{_APOSTROPHE}m|\s+am))\s+)"
            rf"(?P<value>(?-i:[A-Z])(?:[^\W\d_]|['\u2019-])+(?:\s+{_NEXT_NAME_WORD})+)"
        ),
        _keep_then("[name]"),
    ),
]
PLACEHOLDERS = tuple(dict.fromkeys(placeholder for placeholder, _, _ in _PATTERNS))


def redact(text: str) -> str:
    """`text` with each kind of personal data the patterns recognise replaced by its placeholder."""
    for _, pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def personal_data_in(text: str) -> List[str]:
    """The placeholders of the kinds of personal data a pattern still finds in `text` (empty: none)."""
    found = []
    for placeholder, pattern, replacement in _PATTERNS:
        for match in pattern.finditer(text):
            # a placeholder is not personal data, nor what a replacement leaves as it was
            kept = replacement(match) if callable(replacement) else replacement
            if kept != match.group(0) and not (match.groupdict().get("value") or match.group(0)).startswith("["):
                if placeholder not in found:
                    found.append(placeholder)
                break
    return found
