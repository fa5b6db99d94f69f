"""`make policy-review`: after the policy or the law changed, list what to re-check.

Policy summaries: for each topic whose cited clause text changed, print the
summary and the new clause text. After reviewing (and editing) a summary, accept
it with `make policy-review ACCEPT=topic_id`, which records the new fingerprints.

Law statements (bot/data/policy/uk-law.yml): each entry whose statement or
addresses changed since its fingerprint, or whose `checked` date is more than
LAW_REVIEW_MAX_AGE_DAYS days old (default 180), is printed with its source and
ICO guidance. After checking it against both, accept it with
`make policy-review ACCEPT=law.<id>`, which records the new fingerprint and sets
`checked` to today.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from pathlib import Path
from typing import List, Mapping, Optional

import yaml

# Run from the root (python -m scripts.policy_review); the bot's `actions` package is imported
# from bot/, as the action server imports it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bot"))

from actions.law import LAW_FILE, LawBook, load_law  # noqa: E402
from actions.topics import TOPICS_FILE, load_topics  # noqa: E402

LAW_MAX_AGE_VARIABLE = "LAW_REVIEW_MAX_AGE_DAYS"
DEFAULT_LAW_MAX_AGE_DAYS = 180


class ReviewSettingError(ValueError):
    """A review setting from the environment is not usable."""


def law_max_age_days(env: Mapping[str, str]) -> int:
    raw = env.get(LAW_MAX_AGE_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_LAW_MAX_AGE_DAYS
    try:
        days = int(raw)
    except ValueError:
        days = -1
    if days < 1:
        raise ReviewSettingError(f"{LAW_MAX_AGE_VARIABLE} must be a whole number of days (1 or more), not {raw!r}")
    return days


def _entry_block(text: str, entry_id: str) -> Optional[re.Match]:
    return re.search(rf"(?ms)^  - id: {re.escape(entry_id)}\n.*?(?=^  - id: |^\S|\Z)", text)


def accept_topic(topic_id: str, topics_file: Path) -> int:
    topics = load_topics(topics_file)
    changed = [s for s in topics.stale_sections() if s.topic == topic_id]
    if not changed:
        print(f"nothing to accept for topic {topic_id!r}")
        return 1
    text = topics_file.read_text(encoding="utf-8")
    block = _entry_block(text, topic_id)
    body = block.group(0)
    for section in changed:
        body = body.replace(f"fingerprint: {section.recorded}", f"fingerprint: {section.current}")
    topics_file.write_text(text.replace(block.group(0), body), encoding="utf-8")
    print(f"accepted the reviewed summary of {topic_id}")
    return 0


def accept_law(law_id: str, law_file: Path, today: dt.date, max_age: int) -> int:
    book = load_law(law_file)
    entry = book.entries.get(law_id)
    if entry is None or not (entry.changed or entry.overdue(today, max_age)):
        print(f"nothing to accept for law entry {law_id!r}")
        return 1
    text = law_file.read_text(encoding="utf-8")
    block = _entry_block(text, law_id)
    new = entry.current_fingerprint
    if not isinstance(yaml.safe_load(new), str):  # all digits would read back as a number
        new = f'"{new}"'
    body = re.sub(r"(?m)^(    fingerprint:).*$", rf"\g<1> {new}", block.group(0))
    body = re.sub(r"(?m)^(    checked:).*$", rf"\g<1> {today.isoformat()}", body)
    law_file.write_text(text.replace(block.group(0), body), encoding="utf-8")
    print(f"accepted the checked statement of {law_id} (checked {today.isoformat()})")
    return 0


def topic_findings(topics_file: Path) -> List[str]:
    topics = load_topics(topics_file)
    lines = []
    for section in topics.stale_sections():
        topic = topics.topic(section.topic)
        lines.append(f"topic {topic.id} (intent {topic.intent}) rests on changed clause {section.clause}")
        lines.append(f"  summary: {topic.summary}")
        lines.append(f"  clause now: {topics.policy[section.clause].text}\n")
    return lines


def law_findings(book: LawBook, today: dt.date, max_age: int) -> List[str]:
    lines = []
    for entry in book.entries.values():
        reasons = []
        if entry.changed:
            reasons.append("its statement or addresses changed since they were last checked")
        if entry.overdue(today, max_age):
            age = (today - entry.checked).days
            reasons.append(f"it was last checked {age} days ago (more than {max_age})")
        if not reasons:
            continue
        lines.append(f"law entry {entry.id} ({entry.title}): {'; '.join(reasons)}")
        lines.append(f"  statement: {entry.statement}")
        lines.append(f"  source: {entry.source}")
        lines.append(f"  guidance: {entry.guidance}")
        lines.append(f"  last checked: {entry.checked.isoformat()}\n")
    return lines


def main(
    topics_file: Path = TOPICS_FILE,
    law_file: Path = LAW_FILE,
    today: Optional[dt.date] = None,
    env: Optional[Mapping[str, str]] = None,
) -> int:
    env = os.environ if env is None else env
    today = today or dt.date.today()
    try:
        max_age = law_max_age_days(env)
    except ReviewSettingError as error:
        print(f"error: {error}")
        return 2
    accept = env.get("ACCEPT", "").strip()
    if accept:
        if accept.startswith("law."):
            return accept_law(accept, law_file, today, max_age)
        return accept_topic(accept, topics_file)

    topic_lines = topic_findings(topics_file)
    law_lines = law_findings(load_law(law_file), today, max_age)
    if topic_lines:
        print("\n".join(topic_lines))
        print("Edit the summaries in bot/data/policy/topics.yml if needed, then: make policy-review ACCEPT=<topic>\n")
    else:
        print("All answer summaries rest on the current clause texts.")
    if law_lines:
        print("\n".join(law_lines))
        print(
            "Check each statement against its source and guidance, edit "
            "bot/data/policy/uk-law.yml if the law changed, then: make policy-review ACCEPT=<law id>"
        )
    else:
        print(f"All law statements are as last checked, and checked within {max_age} days.")
    return 1 if topic_lines or law_lines else 0


if __name__ == "__main__":
    sys.exit(main())
