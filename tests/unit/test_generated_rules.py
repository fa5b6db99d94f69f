"""bot/generate_rules.py (`make rules`): the files it writes from bot/data/intents.yml are
current, what it writes follows the list, and a broken list gets a clear error."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import generate_rules
from actions.request_types import OFFERING_INTENTS, REQUEST_OF_INTENT
from actions.topics import default_topics

ROOT = Path(__file__).resolve().parents[2]
INTENTS_TEXT = generate_rules.INTENTS_FILE.read_text(encoding="utf-8")
DOMAIN_TEXT = generate_rules.DOMAIN_FILE.read_text(encoding="utf-8")


def test_every_generated_file_is_what_make_rules_writes_today():
    stale = [
        str(path.relative_to(ROOT))
        for path, text in generate_rules.current_generated_files().items()
        if not path.exists() or path.read_bytes() != text.encode("utf-8")
    ]
    assert not stale, f"out of date (edit bot/data/intents.yml, then run `make rules`): {stale}"


def test_the_check_mode_names_a_stale_file_and_writes_nothing(tmp_path, monkeypatch):
    doc = tmp_path / "INTENTS.md"
    doc.write_text("edited by hand\n", encoding="utf-8")
    monkeypatch.setattr(generate_rules, "INTENTS_DOC", doc)
    monkeypatch.setattr(generate_rules, "BOT_DIR", tmp_path)
    monkeypatch.setattr(generate_rules, "current_generated_files", lambda: {doc: "generated\n"})
    assert generate_rules.main(["--check"]) == 1
    assert doc.read_text(encoding="utf-8") == "edited by hand\n"
    assert generate_rules.main([]) == 0
    assert doc.read_text(encoding="utf-8") == "generated\n"


def test_the_script_runs_as_make_rules_runs_it():
    done = subprocess.run(
        [sys.executable, "bot/generate_rules.py", "--check"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def test_a_new_intent_reaches_the_domain_the_rules_and_the_doc():
    added = INTENTS_TEXT.replace(
        "      - intent: ask_policy_updated\n",
        "      - intent: ask_children\n"
        '        about: "do you collect children\'s data"\n'
        "        answer: action_answer_policy\n"
        "        during_form: action_answer_policy\n"
        "      - intent: ask_policy_updated\n",
    )
    files = {path.name: text for path, text in generate_rules.generated_files(added, DOMAIN_TEXT).items()}
    domain = yaml.safe_load(files["domain.yml"])
    assert "ask_children" in domain["intents"]
    assert "ask_children" in domain["slots"]["requester_name"]["mappings"][0]["not_intent"]
    assert "ask_children" in domain["slots"]["requester_email"]["mappings"][0]["not_intent"], "the YAML anchor"
    answered = yaml.safe_load(files["policy_questions.yml"])["rules"]
    assert {
        "rule": "answer ask_children",
        "steps": [{"intent": "ask_children"}, {"action": "action_answer_policy"}],
    } in answered
    interrupted = yaml.safe_load(files["request_interruptions.yml"])["rules"]
    assert "ask_children during a request" in [r["rule"] for r in interrupted]
    assert "- ask_children: do you collect children's data" in files["INTENTS.md"]
    rest = domain.copy()
    before = yaml.safe_load(DOMAIN_TEXT)
    assert {k: v for k, v in rest.items() if k not in ("intents", "slots")} == {
        k: v for k, v in before.items() if k not in ("intents", "slots")
    }, "nothing else in the domain moves"


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda t: t.replace(
                "      - intent: ask_cookies\n",
                "      - intent: ask_cookies\n        about: again\n      - intent: ask_cookies\n",
                1,
            ),
            "'ask_cookies' is listed twice",
        ),
        (
            lambda t: t.replace("        offered_after: ask_profiling", "        offered_after: ask_profilng"),
            "'ask_profilng', which is not an intent",
        ),
        (
            lambda t: t.replace("        answer: action_answer_policy\n", "        answr: action_answer_policy\n", 1),
            "unknown field(s) ['answr']",
        ),
        (lambda t: t.replace("  - intent: greet\n", "  - intent: Greet!\n"), "'Greet!' is not snake_case"),
    ],
    ids=["duplicate", "unknown-offer", "unknown-field", "bad-name"],
)
def test_a_broken_intents_list_gets_a_clear_error(change, message):
    with pytest.raises(generate_rules.IntentsError) as error:
        generate_rules.generated_files(change(INTENTS_TEXT), DOMAIN_TEXT)
    assert message in str(error.value)


def test_a_domain_without_its_markers_is_refused_not_overwritten():
    unmarked = DOMAIN_TEXT.replace(generate_rules.BEGIN + " (interruptions)", "# someone removed it")
    with pytest.raises(generate_rules.IntentsError, match="no generated block marked"):
        generate_rules.generated_files(INTENTS_TEXT, unmarked)


# --- contracts with what is defined elsewhere -----------------------------------------------
def intents_by_name():
    return {i["intent"]: i for i in generate_rules.all_intents(generate_rules.load_groups(INTENTS_TEXT))}


def test_offers_match_the_actions_request_types():
    offers = {
        i["offered_after"]: name[len("request_") :] for name, i in intents_by_name().items() if i.get("offered_after")
    }
    assert offers == OFFERING_INTENTS
    starting = {name for name, i in intents_by_name().items() if i.get("starts") == "request_form"}
    assert starting == {intent for intent in REQUEST_OF_INTENT if intent.startswith("request_")}


def test_every_intent_answered_from_the_policy_has_a_topic_and_every_topic_an_intent():
    topic_intents = {topic.intent for topic in default_topics().topics}
    answered = {name for name, i in intents_by_name().items() if i.get("answer") == "action_answer_policy"}
    assert answered - topic_intents == set(), "a policy question with no answer topic (data/policy/topics.yml)"
    assert topic_intents - set(intents_by_name()) == set(), "a topic for an intent the bot does not have"
