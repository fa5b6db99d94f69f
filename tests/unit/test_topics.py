"""The topic mapping: every clause reachable, every citation real, summaries reviewed."""

import copy
from pathlib import Path

import pytest
import yaml

from actions.policy import PolicyError, default_policy
from actions.topics import TOPICS_FILE, default_topics, parse_topics

BOT_DIR = Path(__file__).resolve().parents[2] / "bot"


def load_yaml(path):
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def domain_intents():
    return set(load_yaml(BOT_DIR / "domain.yml")["intents"])


def trained_intents():
    intents = set()
    for path in (BOT_DIR / "data" / "nlu").glob("*.yml"):
        for block in load_yaml(path).get("nlu", []):
            if "intent" in block:
                intents.add(block["intent"])
    return intents


def rule_intents_to(action):
    intents = set()
    for path in (BOT_DIR / "data" / "rules").glob("*.yml"):
        for rule in load_yaml(path).get("rules", []):
            steps = rule["steps"]
            for first, second in zip(steps, steps[1:]):
                if "intent" in first and second.get("action") == action:
                    intents.add(first["intent"])
    return intents


def test_no_summary_rests_on_a_changed_clause():
    stale = default_topics().stale_sections()
    assert not stale, (
        "These clauses changed since their summaries were checked; review each "
        "summary against the new text, then update the fingerprint (make policy-review):\n"
        + "\n".join(f"  topic {s.topic}: clause {s.clause} {s.recorded} -> {s.current}" for s in stale)
    )


def test_a_changed_clause_is_detected():
    policy = default_policy()
    changed = copy.deepcopy(load_yaml(TOPICS_FILE))
    from actions.policy import Clause, Policy

    clauses = dict(policy.clauses)
    clauses["cookies"] = Clause("cookies", "Cookies", clauses["cookies"].text + " We also use pixels.")
    altered = Policy(policy.source, policy.updated, clauses)
    stale = parse_topics(changed, altered).stale_sections()
    assert [(s.topic, s.clause) for s in stale] == [("cookies", "cookies")]


def test_every_clause_is_cited_by_a_topic_whose_intent_is_answered():
    topics = default_topics()
    answered = rule_intents_to("action_answer_policy") & domain_intents() & trained_intents()
    reachable = set()
    for topic in topics.topics:
        if topic.intent in answered:
            reachable.update(topic.section_ids)
    missing = set(default_policy().ids()) - reachable
    assert not missing, f"clauses no intent can reach: {sorted(missing)}"


def test_every_topic_can_be_selected_from_its_intent():
    topics = default_topics()
    for intent in topics.intents():
        candidates = topics.topics_for(intent)
        assert topics.select(intent, "tell me about that") is candidates[0]
        for topic in candidates[1:]:
            assert topic.keywords, f"{topic.id} is not its intent's default and has no keywords"
            for keyword in topic.keywords:
                chosen = topics.select(intent, f"what about {keyword}?")
                if chosen is topic:
                    break
            else:
                pytest.fail(f"no keyword of topic {topic.id} selects it")


def test_every_topic_intent_is_in_the_domain_and_has_a_rule():
    answered = rule_intents_to("action_answer_policy")
    for intent in default_topics().intents():
        assert intent in domain_intents()
        assert intent in answered, f"no rule sends {intent} to action_answer_policy"


def test_every_answered_intent_has_a_topic():
    assert rule_intents_to("action_answer_policy") <= set(default_topics().intents())


@pytest.mark.parametrize(
    "intent, message, topic",
    [
        ("ask_data_sharing", "do you give my info to the police", "sharing_legal"),
        ("ask_data_sharing", "who do you share my data with", "sharing_overview"),
        ("ask_data_sharing", "is shopify given my details", "sharing_service_providers"),
        ("ask_data_sharing", "what happens to my data if the shop is sold", "business_sale"),
        ("ask_security", "is paying by card safe", "card_payments"),
        ("ask_security", "is the site encrypted", "ssl"),
        ("ask_contact", "what's your email address", "privacy_contact"),
        ("ask_contact", "what's your postal address", "postal_address"),
        ("ask_credit_checks", "what if i lie on the form", "false_information"),
        ("ask_credit_checks", "will my partner's debts affect me, we live together", "household_links"),
        ("ask_right_access", "is it free?", "access_fee"),
        ("request_objection", "no credit checks on me please", "request_objection_credit"),
    ],
)
def test_topic_selection_follows_the_shoppers_words(intent, message, topic):
    assert default_topics().select(intent, message).id == topic


def test_unknown_intent_has_no_topic():
    assert default_topics().select("greet", "hello") is None


def test_topics_citing_unknown_clauses_or_too_many_are_refused():
    document = load_yaml(TOPICS_FILE)
    bad = copy.deepcopy(document)
    bad["topics"][0]["sections"].append({"id": "9.9.9", "fingerprint": "x"})
    with pytest.raises(PolicyError, match="unknown clause"):
        parse_topics(bad, default_policy())
    bad = copy.deepcopy(document)
    bad["topics"][0]["sections"] = [{"id": "cookies"}] * 4
    with pytest.raises(PolicyError, match="1 to 3"):
        parse_topics(bad, default_policy())


def test_uncovered_subjects_are_recognised():
    topics = default_topics()
    assert topics.uncovered_subject("do you collect data about children") is not None
    assert topics.uncovered_subject("what happens after a data breach") is not None
    assert topics.uncovered_subject("do you use cookies") is None
    # the lookup lemmatizer maps "ai" to "have": that must not make "have" a trigger
    assert topics.uncovered_subject("can i have my details removed from your records") is None


@pytest.mark.parametrize(
    "question",
    [
        "does it read my contacts?",
        "can the app turn on my camera",
        "what permissions does it need",
        "do i need an account to use it?",
        "can other users see my name?",
        "does it log what i type",
        "is there two-step verification?",
    ],
)
def test_subjects_a_shops_policy_never_mentions_are_recognised_through_punctuation(question):
    assert default_topics().uncovered_subject(question) is not None


@pytest.mark.parametrize(
    "question",
    [
        "who do i contact about my data?",
        "will you send me marketing emails?",
        "what types of data do you collect?",
        "is my account password stored safely?",
        "who can see my information?",
    ],
)
def test_covered_questions_sharing_words_with_those_subjects_are_not_declined(question):
    assert default_topics().uncovered_subject(question) is None


def test_a_hacking_that_happened_is_a_breach_but_the_risk_of_one_is_security():
    # LABELLING.md: "has it been hacked" is not covered; safeguards against hackers are clause 3
    topics = default_topics()
    for past in (
        "has your shop ever been hacked?",
        "i heard the site was hacked, was my data taken?",
        "have you been hacked before",
    ):
        assert topics.uncovered_subject(past) == "data breaches", past
    for risk in ("could your site be hacked?", "how likely is it you get hacked", "fear of being hacked"):
        assert topics.uncovered_subject(risk) is None, risk


def test_protection_against_a_breach_is_security_but_a_breach_is_not_covered():
    # LABELLING.md: safeguards against hackers and breaches are clause 3; a breach itself is not covered
    topics = default_topics()
    assert topics.uncovered_subject("have you ever had a data breach?") == "data breaches"
    assert topics.uncovered_subject("will you tell me if my data is leaked?") == "data breaches"
    for protection in ("how do you protect my data from breaches?", "what encryption stops leaks of my card details"):
        assert topics.uncovered_subject(protection) is None, protection


LOCATION = "location tracking"
OTHER_USERS = "what other users of the service can see"
DEVICE = "access to your phone's contacts, camera, microphone or photos"
PERMISSIONS = "app permissions on your device"
BREACHES = "data breaches"
IDENTIFIERS = "IP addresses and device identifiers"
MODES = "private or incognito modes"
BACKGROUND = "collecting data in the background or when you are not using the service"
RESTRICTION = "restricting processing"
ACCOUNT = "whether you need an account or a social-media login, or two-step verification"


@pytest.mark.parametrize(
    "message, subject",
    [
        # LABELLING.md: "Location / GPS / where I go" is not covered ...
        ("can you see where i am located?", LOCATION),
        ("do you keep track of where i am", LOCATION),
        ("do you track where i go?", LOCATION),
        # ... but only with tracking or seeing: asking the way is not location
        ("is there a page where i am asked for my password?", None),
        ("can you tell me where i go to delete my account?", None),
        ("how do i know where i am with my access request?", None),
        # whether other users see my profile or posts is not covered; "post" alone is the mail here
        ("can other people see my posts?", OTHER_USERS),
        ("can i hide my posts", OTHER_USERS),
        ("will you post my order to me?", None),
        ("if i post the item back, do you keep my address?", None),
        ("do you keep a record of what i post back for a refund?", None),
        # shopping on a public computer is the passwords clause (3.4), not other users
        ("is it safe to shop on a public computer?", None),
        # photos and device permissions are not covered; who else can get at my photos is sharing
        ("does your app access my photos?", DEVICE),
        ("what features of my phone does the site use", PERMISSIONS),
        ("can you see the apps on my phone?", PERMISSIONS),
        ("who can access my photos?", None),
        ("which apps do you use to take payments?", None),
        # recording or listening in on a call with us is monitoring (2.1.7), not the phone's microphone
        ("do you record me when i phone customer services?", None),
        ("is someone listening in on my calls", None),
        # a theft of our data that happened is a breach; other thefts, and what stops one, are not
        ("has my information ever been stolen from you?", BREACHES),
        ("i think my details were stolen from your site", BREACHES),
        ("my card was stolen, can you delete my card details?", None),
        ("my parcel was stolen, do you share my address with the courier?", None),
        ("what stops my card details being stolen?", None),
        # the rest of the guide's list: device identifiers, privacy modes, background collection
        ("do you log my IP address when i visit", IDENTIFIERS),
        ("does the site have a private or incognito mode?", MODES),
        ("does it collect data in the background when i'm not using it?", BACKGROUND),
        ("does the site run in the background?", None),  # how the software runs: out of scope
        # asking my permission before sharing is consent (sharing.consent), not device permissions
        ("do u ask my permission before giving my details to other companies", None),
        ("what permissions does the site need?", PERMISSIONS),
        # other shoppers seeing my profile is not covered; sharing with them is the sharing question
        ("can other customers see my profile or what i've bought?", OTHER_USERS),
        ("do you give my address to other customers?", None),
        ("can i limit how you use my data without deleting it?", RESTRICTION),
        ("can i limit the use of cookies?", None),
        # a shopper's own words the subjects must not take
        ("can i fix my email if i typed it wrong", None),
        ("is what i type at checkout encrypted", None),
        ("do you use what i listen to in the shop to recommend stuff?", None),
        ("if i give you my friends phone numbers to invite them what about their privacy", None),
        ("if i follow a link from your site to other sites i visit, does your policy cover them?", None),
        # ... and more of the guide's list
        ("was your shop ever hacked", BREACHES),
        ("do you follow me around the web after i leave your shop", "tracking you on other websites or apps"),
        ("does the shop keep a history of the sites i visit?", "tracking you on other websites or apps"),
        ("is the app listening to me?", DEVICE),
        ("is my info safe with you? bit nervous about buying online at my age", None),
        ("is there a minimum age to order from you?", "children's data and age limits"),
        ("why do you want my details to create an account?", None),
        ("do i need an account to buy from you?", ACCOUNT),
        ("can i buy something without giving you any personal details at all?", ACCOUNT),
        ("can i order without giving my phone number?", None),
        ("if i leave a review, will my full name be shown to everyone?", OTHER_USERS),
        ("do you store my card just on my phone or on your servers?", "whether your data stays on your device"),
        ("can i have two addresses on my account?", None),  # "two-step" is not "two"
        ("do you keep my details for a year after i order", None),  # "year-old" is not "year"
        ("my 13 year old wants her own account", "children's data and age limits"),
        # microphones are what the shop sells
        ("do you sell wireless microphones?", None),
        ("does this wireless mic work with a smart tv", None),
        ("does your site need access to my microphone for the karaoke songs", DEVICE),
        ("does it turn on my mic without my knowledge?", DEVICE),
        ("does taxbuddy keep my income and payslip details", "financial details beyond your payment card"),
        ("do they run a credit check on me when i put my salary in", None),
        # found in review: the shop's own words the new terms took
        ("do you check my income when i apply for finance?", None),
        ("will my card details be shown on my bank statement?", None),
        ("will my name be shown on my bank statement?", None),
        ("what details do you collect when creating an account?", None),
        ("what information do i have to give when making an account?", None),
        ("can i limit how you use my data for marketing?", None),
        ("how do i view my profile to update my address?", None),
        ("my details on file are 2 years old, can i update them?", None),
        ("how old is this privacy policy?", None),
        ("can you send me details of the pioneer ddj model?", None),
        ("do you keep portable speakers in stock?", None),
        ("is my data kept when i am not using the site any more?", None),
        ("will you track me if i use incognito mode?", None),
        ("can other people on the app see my profile", OTHER_USERS),
        ("do you automatically delete customer data after a few years?", "deleting data automatically"),
        ("can i move my data to another retailer in a portable format?", "data portability"),
    ],
)
def test_the_guides_not_covered_subjects_and_their_exceptions(message, subject):
    assert default_topics().uncovered_subject(message) == subject


@pytest.mark.parametrize("key", ["answered_when", "terms"])
@pytest.mark.parametrize("words", ["protect", [], ["protect", " "]])
def test_subject_words_that_are_not_a_list_of_words_are_refused(key, words):
    bad = copy.deepcopy(yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8")))
    bad["not_covered"][1][key] = words
    with pytest.raises(PolicyError, match=key):
        parse_topics(bad, default_policy())


def test_silent_subjects_where_the_law_speaks_name_real_law_entries():
    topics = default_topics()
    from actions.law import default_law

    assert set(topics.law_of_subject) >= {"complaints", "data portability", "restricting processing"}
    assert all(law_id in default_law() for ids in topics.law_of_subject.values() for law_id in ids)
    bad = copy.deepcopy(yaml.safe_load(TOPICS_FILE.read_text(encoding="utf-8")))
    bad["not_covered"][0]["law"] = ["law.no-such-entry"]
    with pytest.raises(PolicyError, match="unknown law entries"):
        parse_topics(bad, default_policy(), default_law())
