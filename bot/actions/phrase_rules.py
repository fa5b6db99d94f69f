"""Phrasings that settle which policy question a message asks, when the NLU's intent is near but not it.

The labelling guide (quality/real_questions/LABELLING.md) answers some kinds of question from one
clause, whatever else their words suggest: "where is my data stored?" is about where data goes
(`1.eea` `2.3.3`), not what we collect; "who can see my data?" is about sharing; "do you record
what I search for?" is tracking on the site (`cookies`). The NLU is pulled elsewhere by the nouns
("personal information", "data", "access"). Each rule here is one row of that guide, written as a
phrase, never as a question from the corpus:

- it corrects a sure NLU intent only when that intent is one of its `sources` (the near misses
  seen on the real questions' training half), so a question the NLU files elsewhere is left alone;
- it confirms an unsure guess (below the fallback threshold) that is already its `target`: two
  signals agreeing, the NLU's best guess and the phrase, answer instead of asking to rephrase.

Chosen on the real questions' training half only (quality/tuning.py; docs/answer-quality-tuning.md,
eleventh round), where each rule, left out on its own, made the combined error worse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Pattern, Tuple

COLLECTED, USE, RETENTION = "ask_data_collected", "ask_data_use", "ask_data_retention"
MONITORING, ACCESS_RIGHT = "ask_monitoring", "ask_right_access"
SHARING, SELLING = "ask_data_sharing", "ask_data_selling"


def _words(alternatives: str) -> str:
    """A regular expression for any of the `|`-separated words or phrases, as whole words."""
    return r"\b(?:" + alternatives + r")\b"


@dataclass(frozen=True)
class PhraseRule:
    name: str
    target: str
    sources: Tuple[str, ...]
    pattern: Optional[Pattern] = None  # must match (None: any message from a source intent)
    unless: Optional[Pattern] = None  # must not match
    confirms_guesses: bool = True

    def applies(self, text: str) -> bool:
        if self.pattern is not None and not self.pattern.search(text):
            return False
        return not (self.unless is not None and self.unless.search(text))


RULES = (
    # "What do you do to keep my personal information private?" (one of issue 7's own examples):
    # how it is kept private, safe, secure or confidential is the security question.
    PhraseRule(
        "kept safe",
        "ask_security",
        (COLLECTED, USE, RETENTION),
        re.compile(
            r"\b(?:keep|keeps|kept|keeping)\b(?:\W+\w+){0,4}?\W+(?:private|safe|secure|confidential|protected)\b"
        ),
    ),
    # "Where is my data stored / kept / sent?": where (which country, which servers) data goes.
    PhraseRule(
        "where it is stored",
        "ask_international_transfers",
        (COLLECTED, USE, RETENTION),
        re.compile(
            r"\bwhere\b(?:\W+(?!what\b|which\b|how\b)\w+){0,5}?\W+"
            + _words("stored|saved|kept|held|housed|hosted|store|stores|keep|keeps|save|hold|go|goes|sent")
        ),
    ),
    # "Will my information be used for marketing?": contacting me about products (2.1.6).
    PhraseRule("marketing", "ask_marketing", (USE, COLLECTED), re.compile(_words("marketing"))),
    # "Who can see / anyone access my data?": sharing; someone getting into my account is passwords.
    PhraseRule(
        "who can see it",
        SHARING,
        (COLLECTED, ACCESS_RIGHT, USE, RETENTION),
        re.compile(
            _words(
                "who|whom|anyone|any one|anybody|someone|somebody|others|other people|third parties|third party|outsiders"
            )
            + r"(?:\W+\w+){0,3}?\W+"
            + _words("see|sees|seeing|view|views|access|accesses|accessed|know|knows|read|reads|look")
        ),
        re.compile(_words("account|accounts|password|passwords|login|log in|logged in|sign in|signed in")),
    ),
    # A question with two parts is labelled by the part it leads with: "what do you do with my data,
    # and do you share it?" asks what it is used for.
    PhraseRule(
        "leads with what it is used for",
        USE,
        (SHARING, SELLING, COLLECTED),
        re.compile(
            r"^\W*(?:what (?:do|does|will|would|did|are|is) \w+(?: \w+)? (?:do|doing|going to do) (?:with|to)"
            r"|how (?:do|does|will|would|is|are) (?:\w+ ){1,4}used)\b"
        ),
    ),
    # "Can the app see my data?", "what data can it access?": what we collect (1.types), not the
    # shopper's right of access or who we share with; "can I see", "can others see" are not this.
    PhraseRule(
        "what the shop can see",
        COLLECTED,
        (ACCESS_RIGHT, SHARING),
        re.compile(
            r"\b(?:can|could|does|do|will|would)\W+"
            # ... whose subject is the shop or its app, not the shopper, other people or "have access"
            r"(?!(?:i|we|they|others?|people|anyone|anybody|someone|somebody|staff|employees?|third|any|other"
            r"|everyone|the public|have|has|get|gain|be)\b)"
            r"(?:the\W+|this\W+)?\w+\W+(?:see|view|access|read)\b"
        ),
        re.compile(_words("who|copy|request|download|my own")),
    ),
    # "Will my data be kept forever?": how long it is kept (2.1).
    PhraseRule(
        "kept forever",
        RETENTION,
        (COLLECTED, USE),
        re.compile(_words("permanently|permanent|forever|for ever|indefinitely|for good")),
    ),
    # "Do you record my search history / what I look at?": tracking on the site (cookies); how long
    # it is kept, or deleting it, stays with those questions.
    PhraseRule(
        "what I do on the site",
        "ask_cookies",
        (COLLECTED, RETENTION, MONITORING),
        re.compile(
            _words(
                "history|histories|browsing|analytics|my usage|my activity|my activities"
                "|what i search|i search for|i look at|i looked at|what i do|what i view|what i watch|what i read"
            )
        ),
        re.compile(_words("how long|delete|deleted|deleting|erase|erased|remove|removed|clear|cleared|wipe|wiped")),
    ),
    # Monitoring (2.1.7) is of calls, emails and chats with us; monitoring of anything else the
    # shopper does is tracking on the site.
    PhraseRule(
        "monitoring that is not of our conversations",
        "ask_cookies",
        (MONITORING,),
        None,
        re.compile(
            _words(
                "call|calls|phone|telephone|email|emails|e-mail|chat|chats|message|messages"
                "|conversation|conversations|speak|talk|voice"
            )
        ),
        confirms_guesses=False,
    ),
)


def corrected_intent(intent: str, text: str) -> str:
    """The policy question a message the NLU placed under `intent` asks."""
    low = text.lower()
    for rule in RULES:
        if intent in rule.sources and rule.applies(low):
            return rule.target
    return intent


def confirmed_guess(guess: Optional[str], text: str) -> Optional[str]:
    """`guess` (the NLU's best unsure intent) when a phrase rule says the same, else None."""
    low = text.lower()
    for rule in RULES:
        if rule.confirms_guesses and rule.pattern is not None and guess == rule.target and rule.applies(low):
            return guess
    return None


# Not privacy questions (the guide's `out_of_scope`), whatever intent the NLU gives them: what
# something costs, and the adverts shown (not data given to advertisers), when nothing in the
# message is about personal data.
PRICE = re.compile(_words("pay|paid|cost|costs|price|prices|free|subscription|how much"))
# ... and what it runs on or how it behaves as software: "does it work offline?", "does it run on android?"
HOW_IT_RUNS = re.compile(
    _words(
        "android|ios|iphone|ipad|os|compatible|compatibility|offline|memory|battery|notification|notifications"
        "|background|install|installs|installed|wifi|wi-fi"
    )
)
# "ads" shown in an app; the shop's "adverts" are its marketing (ask_marketing), never this.
ADS_SHOWN = re.compile(_words("ads|advertisements"))
ABOUT_DATA = re.compile(
    _words(
        "data|information|info|details|personal|privacy|private|secure|security|copy|request|fee|fees"
        "|advertisers|targeted|targeting|personalised|personalized|based on|share|shared|sell|sold|profit"
        "|send|sent|receive|email|emails|post|stop|unsubscribe|card|payment|encrypt|encrypted|sar|sars|access"
        "|marketing|policy|change|changes|breach|cookie|cookies|track|tracking|location"
        "|delete|deleted|erase|account|name|address|phone number|rights|used|newsletter|newsletters|cancel"
    )
)


def not_privacy(text: str) -> bool:
    """A question about the price, the adverts shown or how the software runs, that says nothing
    of personal data."""
    low = text.lower()
    return bool((PRICE.search(low) or ADS_SHOWN.search(low) or HOW_IT_RUNS.search(low)) and not ABOUT_DATA.search(low))
