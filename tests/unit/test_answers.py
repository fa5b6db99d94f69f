"""Answer composition: summary, verbatim quote, visible citation, payload."""

import re

from actions import answers
from actions.policy import default_policy
from actions.topics import default_topics

POLICY_URL = "https://shop.example/pages/privacy-policy"
QUOTE = re.compile(r"^> “(.*)”$")


def texts(messages):
    return [m["text"] for m in messages if "text" in m]


def test_topic_answer_quotes_each_clause_verbatim_and_cites_it():
    topic = default_topics().topic("cookies")
    messages = answers.topic_answer(topic, default_policy(), POLICY_URL)
    body = texts(messages)
    assert body[0] == topic.summary
    quote_line, citation_line = body[1].split("\n")
    assert QUOTE.match(quote_line).group(1) == default_policy()["cookies"].text
    assert citation_line == f"Privacy policy, section cookies: {POLICY_URL}#clause-cookies"
    assert messages[-1] == {"json_message": {"kind": "answer", "sections": ["cookies"], "law": []}}


def test_every_topic_answer_quotes_only_policy_text_and_cites_real_ids():
    policy = default_policy()
    for topic in default_topics().topics:
        messages = answers.topic_answer(topic, policy, POLICY_URL)
        quotes = [
            QUOTE.match(line).group(1) for text in texts(messages) for line in text.split("\n") if line.startswith("> ")
        ]
        assert len(quotes) == len(topic.sections)
        for quote, section in zip(quotes, topic.sections):
            clause_text = policy[section.id].text
            for fragment in quote.split(" … "):
                assert fragment in clause_text, f"{topic.id}: quote is not verbatim {section.id}"
        cited = answers.cited_sections(messages)
        assert cited == topic.section_ids
        assert all(section in policy for section in cited)
        assert 1 <= len(cited) <= 3


def test_closest_clause_answer_says_so_and_offers_the_team():
    messages = answers.closest_clause_answer(default_policy(), "2.1.7", POLICY_URL, "sales@sessionmusic.co.uk")
    body = " ".join(texts(messages))
    assert "closest thing our privacy policy says" in body
    assert "#clause-2.1.7" in body
    assert any(b["payload"] == "/human_handoff" for m in messages for b in m.get("buttons", []))
    assert answers.cited_sections(messages) == ["2.1.7"]


def test_not_covered_answer_cites_nothing_and_offers_email():
    messages = answers.not_covered_answer("sales@sessionmusic.co.uk", "data breaches")
    assert "doesn't say anything about data breaches" in messages[0]["text"]
    assert "sales@sessionmusic.co.uk" in messages[0]["text"]
    assert messages[-1]["json_message"] == {"kind": "not_covered"}
    assert answers.cited_sections(messages) == []
