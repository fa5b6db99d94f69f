"""The rules cover every intent, and every interruption of a request form."""

from pathlib import Path

import yaml

BOT_DIR = Path(__file__).resolve().parents[2] / "bot"


def load(path):
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def rules():
    for path in (BOT_DIR / "data" / "rules").glob("*.yml"):
        yield from load(path)["rules"]


def first_intent_and_condition(rule):
    intent = next((step["intent"] for step in rule["steps"] if "intent" in step), None)
    loop = next((c["active_loop"] for c in rule.get("condition", []) if "active_loop" in c), None)
    return intent, loop


def test_every_intent_has_a_rule_outside_forms():
    domain = load(BOT_DIR / "domain.yml")
    covered = {first_intent_and_condition(r)[0] for r in rules() if first_intent_and_condition(r)[1] is None}
    assert set(domain["intents"]) - covered == set()


def test_every_intent_the_request_form_skips_is_handled_inside_the_form():
    domain = load(BOT_DIR / "domain.yml")
    skipped = set(domain["slots"]["requester_name"]["mappings"][0]["not_intent"])
    handled = {first_intent_and_condition(r)[0] for r in rules() if first_intent_and_condition(r)[1] == "request_form"}
    assert skipped - handled == set()


def test_every_custom_action_in_the_domain_is_implemented():
    import actions.handoff_actions  # noqa: F401
    import actions.policy_actions  # noqa: F401
    import actions.request_actions  # noqa: F401
    import actions.status_actions  # noqa: F401
    from rasa_sdk import Action

    implemented = set()
    stack = list(Action.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        try:
            implemented.add(cls().name())
        except Exception:  # abstract bases
            pass
    domain = load(BOT_DIR / "domain.yml")
    assert set(domain["actions"]) <= implemented
