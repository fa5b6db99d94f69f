"""Personal data taken out of a shopper's question before staff see it for labelling.

A question the bot could not answer is exported for labelling (quality/review.py) without its
conversation id or time, and with what commonly identifies a person replaced by a placeholder:
email addresses (also written "jo at example dot com"), links and web addresses, phone numbers and
other long numbers (card, account numbers), order, account and invoice numbers, dates (a date of
birth), request references, UK postcodes, street addresses, and a name given as such ("my name is
...", "my surname is ...", "I'm called ...", "name: ...", "I am Jo Bloggs"). A bare web address with no
path ("mailchimp.com") is a company's, not a person's, and stays.

This is a first pass, not a guarantee: a name in the middle of a sentence is not recognisable by
pattern. Staff read every question before they label it, and a labelled question is refused
(`personal_data_in`) while a pattern still finds something.
"""

from __future__ import annotations

import re
from typing import Callable, List, Tuple, Union

_APOSTROPHE = "['\u2019]"  # phone keyboards type the curly one
#: longer messages are cut to this before redaction (the widget sends at most 1,000 characters, and
#: no pattern then takes more than a few milliseconds)
MAX_CHARS = 1000
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_TLD = r"(?:com|net|org|uk|io|me|info|ie|fr|de|es|eu|us|ca|au|nz|biz|ac|edu|gov)"
_DOT = r"\s*(?:\.|\(dot\)|\[dot\]|\bdot\b)\s*"
# A name's words: letters, hyphens and apostrophes ("Mary-Jane", "O'Neil", "O\u2019Neil").
_NAME_WORD = r"[^\W\d_](?:[^\W\d_]|['\u2019-])*"
_CAPITALISED_WORD = r"(?-i:[A-Z])(?:[^\W\d_]|['\u2019-])+"
# Words that follow "my name is" in a question about a name rather than in giving one, and words
# that end a name given in lower case ("my name is jo bloggs and ..."): never taken as a name.
_NOT_A_NAME = {
    "a", "about", "also", "an", "and", "are", "as", "asked", "at", "be", "been", "being", "but", "by",
    "can", "change", "changed", "collected", "correct", "could", "delete", "did", "different",
    "displayed", "do", "does", "email", "for", "from", "given", "hello", "here", "hi", "how", "i",
    "important", "in", "incorrect", "is", "it", "just", "kept", "me", "mine", "misspelled", "misspelt",
    "missing", "my", "needed", "no", "not", "now", "of", "on", "only", "or", "please", "public",
    "purpose", "remove", "required", "right", "send", "shared", "should", "show", "shown", "so",
    "spelled", "spelt", "still", "stored", "thanks", "that", "the", "then", "there", "this", "to",
    "update", "use", "used", "visible", "was", "what", "when", "where", "which", "who", "why", "will",
    "with", "would", "wrong", "yes", "you", "your",
}  # fmt: skip
# Capitalised words after "I am" / "I'm" that are not names ("I am Not Happy With This").
_NOT_A_FIRST_NAME = {
    "a", "absolutely", "afraid", "also", "an", "angry", "annoyed", "asking", "based", "being", "british",
    "concerned", "confused", "curious", "definitely", "from", "getting", "glad", "going", "happy",
    "having", "in", "interested", "just", "looking", "new", "not", "pleased", "pretty", "quite",
    "rather", "really", "so", "sorry", "still", "sure", "the", "totally", "trying", "uk", "unhappy", "upset",
    "very", "wondering", "worried", "writing",
}  # fmt: skip


def _name(match: re.Match) -> str:
    """Keeps the words that introduce a name and replaces the name: its first word, a second one
    unless it is a common word, and a capitalised third. Left as it is when the first word shows a
    question about a name ("what if my name is wrong")."""
    value = match.group("value")
    words = value.split()
    if words[0].lower() in _NOT_A_NAME:
        return match.group(0)
    taken = 1
    if len(words) > 1 and words[1].lower() not in _NOT_A_NAME:
        taken = 2
        if len(words) > 2 and words[2][:1].isupper() and words[2].lower() not in _NOT_A_NAME:
            taken = 3
    name_end = re.match(r"\S+(?:\s+\S+){%d}" % (taken - 1), value).end()
    return match.group("keep") + "[name]" + value[name_end:]


def _introduced_name(match: re.Match) -> str:
    """ "I am Jo Bloggs": two or three capitalised words, the first not a common adjective."""
    if match.group("value").split()[0].lower() in _NOT_A_FIRST_NAME:
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
    ("[email]", re.compile(r"[\w.+-]*\s?[@\uff20]\s?[^\s<>(),;\"']+"), "[email]"),
    # "jo at example dot com", "jo dot bloggs at outlook dot com", "jo (at) example.co.uk"
    (
        "[email]",
        re.compile(
            rf"(?:[\w+-]+{_DOT})*[\w+-]+\s*(?:\(at\)|\[at\]|\bat\b)\s*[\w-]+(?:{_DOT}[\w-]+)*?{_DOT}{_TLD}\b",
            re.IGNORECASE,
        ),
        "[email]",
    ),
    ("[link]", re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE), "[link]"),
    # a web address with a path ("example.com/orders/12"); a bare one ("mailchimp.com") stays
    (
        "[link]",
        re.compile(r"\b(?:[a-z0-9-]+\.)+(?:com|net|org|co\.uk|uk|io|shop|info)/\S*", re.IGNORECASE),
        "[link]",
    ),
    ("[reference]", re.compile(r"\bSM-?[0-9A-Z]{4}-?[0-9A-Z]{4}\b", re.IGNORECASE), "[reference]"),
    # a UK postcode: "SW1A 1AA", "SW1A1AA", "SW1A-1AA", "m1 1ae", "EC1A  1BB"
    (
        "[postcode]",
        re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]?(?:\s{0,2}|-)[0-9][A-Z]{2}\b", re.IGNORECASE),
        "[postcode]",
    ),
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
    # a date: "12/03/1985", "1.3.85", "12 March 1985", "March 12th, 1985" (a date of birth)
    (
        "[date]",
        re.compile(
            rf"\b\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?:19|20)\d\d\b"
            rf"|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d\b",
            re.IGNORECASE,
        ),
        "[date]",
    ),
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
    # "#1042" (a Shopify order number), or five digits or more, spaces, dots, slashes and dashes
    # allowed between them: phone, card, order and account numbers. "30 days", "2018", "24/7",
    # "ISO 27001" and amounts ("£1,299.99") stay.
    ("[number]", re.compile(r"#\s?\d+|(?<![£$€\d,.])(?<!ISO )(?<!iso )\+?\d(?:[\s./()-]*\d){4,}"), _number),
    # a name given as such: "my name is Jo Bloggs", "my surname's Bloggs", "I'm called Sam", "name: Alex"
    (
        "[name]",
        re.compile(
            rf"(?P<keep>(?:\bmy\s+(?:(?:full|first|last|middle|maiden|real)\s+name|surname|name)"
            rf"(?:\s+is|{_APOSTROPHE}s)|\bi(?:{_APOSTROPHE}m|\s+am)\s+called|\bi\s+am\s+named|\bname\s*[:=])\s*)"
            rf"(?P<value>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})",
            re.IGNORECASE,
        ),
        _name,
    ),
    # "I am Jo Bloggs", "I'm Priya Shah": two or three capitalised words after "I am" / "I'm"
    (
        "[name]",
        re.compile(
            rf"(?P<keep>\b(?i:i(?:{_APOSTROPHE}m|\s+am))\s+)"
            rf"(?P<value>{_CAPITALISED_WORD}(?:\s+{_CAPITALISED_WORD}){{1,2}})(?!\s+(?-i:[A-Z]))"
        ),
        _introduced_name,
    ),
]
PLACEHOLDERS = tuple(dict.fromkeys(placeholder for placeholder, _, _ in _PATTERNS))
_BRACKETED = re.compile(r"\[[^\]]*\]")


def redact(text: str) -> str:
    """`text` (cut to MAX_CHARS) with each kind of personal data the patterns recognise replaced by
    its placeholder."""
    text = text[:MAX_CHARS]
    for _, pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def personal_data_in(text: str) -> List[str]:
    """What a pattern still finds in `text`: the placeholders of the kinds of personal data, and
    `[...]` for brackets holding anything but a placeholder (empty: nothing)."""
    found = []
    for placeholder, pattern, replacement in _PATTERNS:
        for match in pattern.finditer(text[:MAX_CHARS]):
            kept = replacement(match) if callable(replacement) else replacement
            if kept != match.group(0):  # what a replacement leaves as it was is not personal data
                found.append(placeholder)
                break
    if any(match.group(0) not in PLACEHOLDERS for match in _BRACKETED.finditer(text)):
        found.append("[...]")
    return list(dict.fromkeys(found))
