"""What the bot accepts as an answer to each form question (pure functions: text in, clean
value or None out), and the decorator the forms' `validate_<slot>` methods share."""
from __future__ import annotations

import functools
import re
from typing import Any, Callable, Dict, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from dsar_contract import is_valid_email

# The processing an objection can be about (the intake's OBJECTION_PROCESSING; held together
# by tests/unit/test_contract.py), with the word stems that name each in a shopper's words.
OBJECTION_CHOICES = {
    "profiling": ("profil", "scor", "analys", "analyz", "automat", "research"),
    "credit_checks": ("credit", "fraud", "agenc", "check", "reference"),
    "marketing": ("market", "email", "newsletter", "advert", "promot", "text", "call", "post"),
}

RECTIFIABLE = ("address", "name", "email", "phone", "number", "postcode", "surname", "card")

UNSAFE_CHARACTERS = re.compile(r"[<>{}\[\]\\\r\n\t]")

EMAIL_PROBLEM = "That doesn't look like an email address. Could you type it again (like name@example.com)?"


def unless_reset(validate: Callable) -> Callable:
    """For a form's `validate_<slot>` method: a slot reset to None when a flow starts is
    not an answer from the shopper, so it is neither checked nor complained about."""
    slot = validate.__name__[len("validate_"):]

    @functools.wraps(validate)
    def checked(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        if value is None:
            return {slot: None}
        return validate(self, value, dispatcher, tracker, domain)

    return checked


def valid_email(value: Any) -> Optional[str]:
    """The address, trimmed (also of a full stop typed after it) and lower-cased, when the
    intake would accept it (dsar_contract's rule); else None."""
    text = str(value or "").strip().strip(".").lower()
    return text if is_valid_email(text) else None


def valid_name(value: Any) -> Optional[str]:
    text = " ".join(str(value or "").split())
    if not 2 <= len(text) <= 100 or UNSAFE_CHARACTERS.search(text) or "@" in text or "?" in text:
        return None
    if not re.search(r"[^\W\d_]", text) or len(text.split()) > 8:
        return None
    return text


def valid_free_text(value: Any, limit: int = 500) -> Optional[str]:
    text = " ".join(str(value or "").split())
    if not text or len(text) > limit or UNSAFE_CHARACTERS.search(text):
        return None
    return text


def objection_choice(text: str) -> Optional[str]:
    lowered = text.lower()
    for choice, stems in OBJECTION_CHOICES.items():
        if any(stem in lowered for stem in stems):
            return choice
    return None


def rectifiable_field(text: str) -> Optional[str]:
    words = re.findall(r"[a-z]+", text.lower())
    return next((field for field in RECTIFIABLE if field in words), None)
