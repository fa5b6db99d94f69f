"""`make policy-review`: after the policy changed, list the answer summaries to re-check.

For each topic whose cited clause text changed, print the summary and the new
clause text. After reviewing (and editing) a summary, accept it with
`make policy-review ACCEPT=topic_id` which records the new fingerprints.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

# Run from the root (python -m scripts.policy_review); the bot's `actions` package is imported
# from bot/, as the action server imports it.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bot"))

from actions.topics import TOPICS_FILE, load_topics  # noqa: E402


def main() -> int:
    topics = load_topics()
    stale = topics.stale_sections()
    accept = os.environ.get("ACCEPT", "").strip()
    if accept:
        text = TOPICS_FILE.read_text(encoding="utf-8")
        changed = [s for s in stale if s.topic == accept]
        if not changed:
            print(f"nothing to accept for topic {accept!r}")
            return 1
        block = re.search(rf"(?ms)^  - id: {re.escape(accept)}\n.*?(?=^  - id: |^\S|\Z)", text)
        body = block.group(0)
        for section in changed:
            body = body.replace(f"fingerprint: {section.recorded}", f"fingerprint: {section.current}")
        TOPICS_FILE.write_text(text.replace(block.group(0), body), encoding="utf-8")
        print(f"accepted the reviewed summary of {accept}")
        return 0
    if not stale:
        print("All answer summaries rest on the current clause texts.")
        return 0
    for section in stale:
        topic = topics.topic(section.topic)
        print(f"topic {topic.id} (intent {topic.intent}) rests on changed clause {section.clause}")
        print(f"  summary: {topic.summary}")
        print(f"  clause now: {topics.policy[section.clause].text}\n")
    print("Edit the summaries in bot/data/policy/topics.yml if needed, then: make policy-review ACCEPT=<topic>")
    return 1


if __name__ == "__main__":
    sys.exit(main())
