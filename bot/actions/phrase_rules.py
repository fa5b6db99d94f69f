"""Phrasings that point to another policy question than the one the NLU placed a message under.

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

A phrase is a weaker signal than it looks: the shop's own wording ("order history", "post it
back", "ring customer services") is kept out by each rule's `unless` and the tests hold those cases
(tests/unit/test_phrase_rules.py). Chosen on the real questions' training half only
(quality/tuning.py; docs/answer-quality-tuning.md, eleventh round).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Pattern, Tuple

from .language import plain

COLLECTED, USE, RETENTION = "ask_data_collected", "ask_data_use", "ask_data_retention"
MONITORING, ACCESS_RIGHT = "ask_monitoring", "ask_right_access"
SHARING, SELLING = "ask_data_sharing", "ask_data_selling"
UNCOVERED, OUT_OF_SCOPE = "ask_uncovered", "out_of_scope"


def _words(alternatives: str) -> str:
    """A regular expression for any of the `|`-separated words or phrases, as whole words."""
    return r"\b(?:" + alternatives + r")\b"


@dataclass(frozen=True)
class PhraseRule:
    name: str
    target: str
    sources: Tuple[str, ...]
    pattern: Pattern  # must match
    unless: Optional[Pattern] = None  # must not match

    def applies(self, text: str) -> bool:
        if not self.pattern.search(text):
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
            # ... not "where do I go to find what you hold?": the shopper is not the data
            r"\bwhere\b(?:\W+(?!what\b|which\b|how\b|i\b)\w+){0,5}?\W+"
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
            r"^\W*(?:(?:hi|hello|hey)\W+)?(?:what (?:do|does|will|would|did|are|is) \w+(?: \w+)? (?:do|doing|going to do) with"
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
            # ... whose subject is the shop or its site or app, never the shopper or a third party
            + _words(
                "you|it|the app|this app|your app|the application|this application|the site|your site"
                "|the website|your website|the shop|your shop|the company|this company|the service|this service"
            )
            + r"\W+(?:see|view|access|read)\b"
        ),
        re.compile(_words("who|copy|request|download|my own")),
    ),
    # "Will my data be kept forever?": how long it is kept (2.1).
    PhraseRule(
        "kept forever",
        RETENTION,
        (COLLECTED, USE),
        re.compile(_words("permanently|forever|for ever|indefinitely")),
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
        re.compile(
            _words(
                "how long|delete|deleted|deleting|erase|erased|remove|removed|clear|cleared|wipe|wiped"
                # ... and order or purchase history is what we collect, not tracking
                "|order|orders|purchase|purchases|bought|buying|payment|payments"
            )
        ),
    ),
    # "Should I log out after ordering on my friend's laptop?", "what if someone else gets into my
    # account?": passwords and shared computers (3.4), not what we collect or who we share with.
    PhraseRule(
        "shared computers",
        "ask_security",
        # ... also when the NLU calls it not covered or not privacy: the phrases are the shop's own
        (COLLECTED, SHARING, USE, RETENTION, ACCESS_RIGHT, UNCOVERED, OUT_OF_SCOPE),
        re.compile(
            # logging out after shopping, not "what do you collect when I'm logged out?"
            r"\b(?:log|sign)\s?(?:out|off)\s+(?:after|when|once|of)\b"
            r"|\b(?:forgot|forget|forgetting|remember|need|have)\s+to\s+(?:log|sign)\s?(?:out|off)\b"
            r"|\b(?:logging|signing)\s?(?:out|off)\b"
            r"|\b(?:shared|public|library|work|someone else'?s|somebody else'?s"
            r"|(?:mate|friend|partner|brother|sister|mum|dad)(?:'s|s)?)\s+(?:computer|computers|laptop|pc|device)\b"
            r"|\b(?:someone|somebody|anyone|anybody)\b(?:\W+\w+){0,3}?\W+(?:get|gets|getting|got|break|breaks|broke"
            r"|hack|hacks|hacked|log|logs|logged|sign|signs|signed)\W+(?:into|in to|in)\W+my\W+account\b"
            r"|\buses?\s+my\s+(?:computer|laptop|pc)\b"
        ),
    ),
    # "Is it safe to shop here?", "is the site secure?" (the guide: "is it safe to use this app?"): security.
    PhraseRule(
        "safe to use",
        "ask_security",
        (COLLECTED, USE, SHARING, RETENTION),
        re.compile(
            r"\b(?:is|are)\s+(?:it|this|you|your \w+|the \w+)\s+(?:\w+\s+)?"
            r"(?:safe|unsafe|risky|secure|dangerous|trustworthy|legit)\b"
        ),
    ),
    # "How do I check what details you hold about me?": the right of access, not what we collect.
    PhraseRule(
        "how to see what you hold",
        ACCESS_RIGHT,
        (COLLECTED,),
        re.compile(
            r"\bhow\b(?:\W+\w+){0,3}?\W+(?:check|see|view|find out|look at|review)\W+(?:what|which|all)\b"
            r"(?:\W+\w+){0,4}?\W+(?:you|they|the shop|the company)\W+(?:hold|holds|have|has|keep|keeps|store|stores)\b"
        ),
    ),
    # "Do you collect my email address, and if so will you share it?": a two-part question is
    # labelled by the part it leads with (as "leads with what it is used for" above).
    PhraseRule(
        "leads with what is collected",
        COLLECTED,
        (SHARING, SELLING),
        re.compile(
            r"^\W*(?:(?:hi|hello|hey)\W+)?(?:do|does|will|would|did)\s+(?:you|they|it|the app|the site|the shop"
            r"|the website|your website|your site)\s+(?:collect|gather|take|record|store|keep|ask for|need)\b"
            r"[^?]*?(?:,|\band\b)\s*(?:if so,?\s*|then\s*)?(?:do|does|will|would|can|could|is|are)\b"
        ),
    ),
    # Monitoring (2.1.7) is of calls, emails and chats with us; monitoring of what the shopper does
    # on the site or app is tracking (cookies).
    PhraseRule(
        "monitoring of what I do online",
        "ask_cookies",
        (MONITORING,),
        re.compile(
            _words(
                "site|website|online|internet|browse|browsing|browser|app|activity|activities|usage|what i do"
                "|input|click|clicks"
            )
        ),
        re.compile(
            _words(
                "call|calls|phone|telephone|email|emails|e-mail|chat|chats|message|messages"
                "|conversation|conversations|speak|talk|voice|ring|staff|customer service|customer services"
            )
        ),
    ),
)


def corrected_intent(intent: str, text: str) -> str:
    """The policy question a message the NLU placed under `intent` asks."""
    low = plain(text)
    for rule in RULES:
        if intent in rule.sources and rule.applies(low):
            return rule.target
    return intent


def confirmed_guess(guess: Optional[str], text: str) -> Optional[str]:
    """`guess` (the NLU's best unsure intent) when a phrase rule says the same, else None."""
    low = plain(text)
    for rule in RULES:
        if guess == rule.target and rule.applies(low):
            return guess
    return None


# Not privacy questions (the guide's `out_of_scope`), whatever intent the NLU gives them: what
# something costs, the adverts shown (not data given to advertisers) and how the software runs,
# when nothing in the message is about personal data, its safety, or what we see, hold or do with it.
PRICE = re.compile(_words("pay|paid|cost|costs|price|prices|free|subscription|how much"))
# "ads" shown in an app; the shop's "adverts" are its marketing (ask_marketing), never this.
ADS_SHOWN = re.compile(_words("ads|advertisements"))
HOW_IT_RUNS = re.compile(
    _words(
        "android|ios|ipad|os|compatible|compatibility|offline|memory|battery|install|installs"
        "|wifi|wi-fi|run in the background|runs in the background"
    )
)
ABOUT_DATA = re.compile(
    r"\b(?:"
    r"data|info\w*|detail\w*|personal\w*|priva\w*|secur\w*|safe\w*|protect\w*|cop(?:y|ies)|request\w*|fees?"
    r"|advertis\w*|target\w*|personali[sz]\w*|based on|shar\w*|sell\w*|sold|profit\w*|send\w*|sent|receiv\w*"
    r"|e-?mails?|post\w*|stop\w*|unsubscrib\w*|cards?|payments?|encrypt\w*|sars?|access\w*|marketing|offers?"
    r"|polic\w*|chang\w*|breach\w*|cookies?|track\w*|locat\w*|delet\w*|eras\w*|accounts?|names?|address\w*"
    r"|phone numbers?|rights?|used|newsletters?|cancel\w*|hold\w*|held|know\w*|record\w*|see|sees|seen|who"
    r"|check\w*|follow\w*|monitor\w*|notif\w*|purchas\w*|orders?"
    r")\b"
)


def not_privacy(text: str) -> bool:
    """A question about the price, the adverts shown or how the software runs, that says nothing
    of personal data."""
    low = plain(text)
    return bool((PRICE.search(low) or ADS_SHOWN.search(low) or HOW_IT_RUNS.search(low)) and not ABOUT_DATA.search(low))


# "Is my data deleted after 6 months?": a retention question only a number of days, months or years
# answers; the policy gives none ("no longer than necessary", 2.1), so it is declined, naming 2.1
# as the nearest thing it says (the guide: numeric retention periods are `not_covered`).
PERIOD_SUBJECT = "a retention period in days, months or years"
PERIOD = re.compile(
    r"\b(?:keep|keeps|kept|store|stores|stored|hold|holds|held|retain|retains|retained|delete|deletes|deleted"
    r"|erase|erased|remove|removed|wipe|wiped|purge|purged|destroy|destroyed)\W+(?:\w+\W+){0,4}?"
    r"(?:after|for|within|in|like|around|about|over|beyond|longer than|more than|up to|at least)\s+"
    r"(?:\d+|a few|a couple of|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen|twenty|thirty"
    r"|sixty|ninety|few|couple of)\s+(?:day|days|week|weeks|month|months|year|years)\b(?!\s+ago\b)"
)


def asks_for_a_period(intent: str, text: str) -> bool:
    """A retention question (`intent`) that names a period in numbers."""
    return intent == RETENTION and bool(PERIOD.search(plain(text)))


# What a message the NLU called "not privacy" must say to be read as a privacy question after all
# (answer_choice.for_out_of_scope): personal data and what is done with it, never a product
# ("do you sell kids' karaoke machines?", "does this mic work with a smart tv?").
PERSONAL_DATA = re.compile(
    r"\bdata\b|\bpersonal\b|\bprivacy\b|\bprivate\b"
    r"|\b(?:my|your|our|customer|customers'?|their|her|his)\s+(?:info|information|details|records?)\b"
    r"|\btrack(?:s|ing|ed)?\s+(?:me|my|where|what|us)\b"
    r"|\b(?:log|logged|logging|sign|signed|signing)\s?(?:in|out|off)\b"
)


def about_personal_data(text: str) -> bool:
    return bool(PERSONAL_DATA.search(plain(text)))
