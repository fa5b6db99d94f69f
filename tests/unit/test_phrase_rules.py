"""Phrase rules: a question the NLU placed near the right one is answered as the guide says."""

import pytest

from actions.phrase_rules import (
    RULES,
    about_personal_data,
    asks_for_a_period,
    confirmed_guess,
    corrected_intent,
    not_privacy,
)


@pytest.mark.parametrize(
    "message, nlu_intent, asked",
    [
        ("what do you do to keep my personal information private?", "ask_data_collected", "ask_security"),
        ("where is my data stored?", "ask_data_collected", "ask_international_transfers"),
        ("where do my details go once i order", "ask_data_use", "ask_international_transfers"),
        ("will my order history be used for marketing?", "ask_data_use", "ask_marketing"),
        ("who can see my personal data?", "ask_right_access", "ask_data_sharing"),
        ("does anyone else know my address?", "ask_data_collected", "ask_data_sharing"),
        ("what do you do with my data, and do you sell it?", "ask_data_selling", "ask_data_use"),
        ("hi, what do you do with my data and who gets it?", "ask_data_sharing", "ask_data_use"),
        ("can the app see my data?", "ask_right_access", "ask_data_collected"),
        ("how will my details be used and will they be shared", "ask_data_sharing", "ask_data_use"),
        ("do you save my search history?", "ask_data_collected", "ask_cookies"),
        ("do you record what i look at on the site", "ask_data_retention", "ask_cookies"),
        ("do you monitor what i do on your website?", "ask_monitoring", "ask_cookies"),
        # passwords and shared computers (3.4)
        ("i ordered on my mates laptop, should i log out after", "ask_data_collected", "ask_security"),
        ("what if someone else uses my computer and gets into my account", "ask_data_sharing", "ask_security"),
        ("can someone else access my account on a shared computer?", "ask_right_access", "ask_security"),
        ("do i need to sign out after paying on a library pc?", "ask_data_use", "ask_security"),
        # is it safe to shop here: security
        ("is it safe to shop on your site?", "ask_data_collected", "ask_security"),
        ("are you a legit shop, will my details be ok", "ask_data_use", "ask_security"),
        # the right of access, not what we collect
        ("how do i check what details you hold about me?", "ask_data_collected", "ask_right_access"),
        ("how can i see what data you have on me", "ask_data_collected", "ask_right_access"),
        # a two-part question, by the part it leads with
        ("do you collect my email address, and if so will you share it?", "ask_data_sharing", "ask_data_collected"),
        (
            "does the app keep my phone number, and will you give it to anyone?",
            "ask_data_sharing",
            "ask_data_collected",
        ),
    ],
)
def test_a_near_miss_is_corrected_to_the_question_asked(message, nlu_intent, asked):
    assert corrected_intent(nlu_intent, message) == asked


@pytest.mark.parametrize(
    "message, nlu_intent",
    [
        # each rule's exceptions: the question really is the one the NLU said
        ("what personal information do you keep?", "ask_data_collected"),
        ("where can i see what data you hold about me?", "ask_data_collected"),
        ("how long do you keep my browsing history?", "ask_data_retention"),
        ("can i delete my search history?", "ask_data_retention"),
        ("do you record my phone calls?", "ask_monitoring"),
        ("do you monitor emails i send you", "ask_monitoring"),
        ("how can i see the data you hold?", "ask_right_access"),
        # a rule corrects only the near misses it names: other intents are left alone
        ("who can see my personal data?", "ask_security"),
        ("do you sell my search history?", "ask_data_selling"),
        # found in review: shop wording the rules must not bend
        ("do you keep my order history?", "ask_data_collected"),
        ("do you record it when i ring customer services?", "ask_monitoring"),
        ("do you record what i tell your staff?", "ask_monitoring"),
        ("is this monitored?", "ask_monitoring"),
        ("do you monitor my card for fraud?", "ask_monitoring"),
        ("what do you do to make sure my data is not sold?", "ask_data_selling"),
        ("can couriers see my phone number?", "ask_data_sharing"),
        ("can shopify see my details?", "ask_data_sharing"),
        ("where do i go to find what data you have on me?", "ask_data_collected"),
        ("do you need my permanent address?", "ask_data_collected"),
        ("what details do you hold about me?", "ask_data_collected"),
        ("how do i sign up for the newsletter and what do you do with my email", "ask_data_use"),
        ("can anyone at the shop look at my account details?", "ask_data_sharing"),
        ("do you share my details with the courier and the payment company?", "ask_data_sharing"),
        ("do you collect and share my data?", "ask_data_sharing"),
        ("what data do you collect when i'm logged out?", "ask_data_collected"),
    ],
)
def test_the_question_the_nlu_placed_right_is_left_alone(message, nlu_intent):
    assert corrected_intent(nlu_intent, message) == nlu_intent


def test_an_unsure_guess_is_confirmed_only_by_a_rule_that_gives_it():
    assert confirmed_guess("ask_security", "is it risky to shop here") == "ask_security"
    assert confirmed_guess("ask_cookies", "does it keep records of what i search for?") == "ask_cookies"
    assert confirmed_guess("ask_data_collected", "does it keep records of what i search for?") is None
    assert confirmed_guess("ask_cookies", "do you use cookies?") is None  # no phrase, no second signal
    assert confirmed_guess(None, "where is my data stored?") is None
    assert confirmed_guess("ask_cookies", "is my activity on the app monitored") == "ask_cookies"
    assert confirmed_guess("ask_cookies", "is this monitored") is None
    assert confirmed_guess("ask_cookies", "do you keep my order history?") is None


@pytest.mark.parametrize(
    "message, period",
    [
        ("is my data deleted after 6 months?", True),
        ("do you keep my details for a year after i order", True),
        ("is my address deleted like 30 days after delivery or what", True),
        ("do you delete customer data after a few years with no orders?", True),
        # an order's date, a stop in shopping, or a period long ago, is not a retention period asked about
        ("do you keep my details if i haven't ordered in a few years?", False),
        ("how long do you keep my data from an order i placed 3 months ago?", False),
        ("is my data kept after i stop shopping with you for a year?", False),
        ("how long do you keep my data?", False),
    ],
)
def test_a_retention_period_in_numbers(message, period):
    assert asks_for_a_period("ask_data_retention", message) is period
    assert not asks_for_a_period("ask_data_collected", message)  # retention questions only


@pytest.mark.parametrize(
    "message, about_data",
    [
        ("do you keep data on under 16s?", True),
        ("i forgot to log out on a library computer", True),
        ("does drivvy track where i drive", True),
        ("do you keep the kids karaoke machine in stock?", False),
        ("any info on your portable karaoke speakers?", False),
        ("can you send me details of the pioneer ddj model?", False),
    ],
)
def test_a_message_called_not_privacy_is_read_again_only_when_it_speaks_of_personal_data(message, about_data):
    assert about_personal_data(message) is about_data


def test_every_rule_names_intents_the_bot_answers():
    from actions.topics import default_topics

    answered = set(default_topics().intents())
    for rule in RULES:
        assert rule.target in answered, rule.name
        assert set(rule.sources) <= answered | {"ask_uncovered", "out_of_scope"}, rule.name
        assert rule.target not in rule.sources, rule.name


@pytest.mark.parametrize(
    "message",
    [
        "how much does it cost?",
        "do i need to pay for delivery",
        "is the app free",
        "does your site have ads?",
        "does it work offline?",
        "does the app run on android",
        "will it drain my battery",
    ],
)
def test_price_adverts_shown_and_how_it_runs_are_not_privacy_questions(message):
    assert not_privacy(message)


@pytest.mark.parametrize(
    "message",
    [
        "is there a fee for a copy of my data?",  # the access fee: a privacy question
        "do you charge for a subject access request",
        "is the connection encrypted when i pay",
        "do you send adverts by post",  # the shop's adverts are its marketing
        "do you show me targeted ads based on what i buy?",
        "do you give my details to advertisers for free?",
        "what do you collect?",
        "policy change notification?",
        "can i turn off marketing notifications?",
        "do you install cookies on my phone",
        # found in review: safety, what we hold, checks, trackers, ads that follow me, offers
        "is it safe to pay on your website?",
        "is it safe to shop on your site from my iphone?",
        "does it cost anything to see what you hold about me?",
        "who can see what i paid?",
        "do you run background checks on customers?",
        "do you install trackers on my computer?",
        "why do your ads follow me round the internet",
        "do you use my purchases to pick the ads i see?",
        "can i turn off notifications about offers?",
    ],
)
def test_questions_about_personal_data_are_privacy_questions_whatever_they_mention(message):
    assert not not_privacy(message)
