"""The bot's NLU training examples, for the actions that search by meaning.

The hybrid clause search and the choice between the topics of one intent
compare a shopper's words with examples whose answer is known. Examples of
the real-question training half (data/nlu/real_questions.yml) and of the
shop's own labelled questions (data/nlu/shop_questions.yml) carry their
answer topic in their metadata; a hand-written example gets the topic its
intent's keywords choose.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

import yaml

from .topics import TopicMap, default_topics

NLU_DIR = Path(__file__).resolve().parent.parent / "data" / "nlu"


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    topic: Optional[str]  # None for intents without answer topics


def entries(block: dict):
    """(text, metadata) of each example of an NLU block, in either YAML form:
    a `- text` list in one string, or a list of {text, metadata} entries."""
    examples = block.get("examples")
    if isinstance(examples, str):
        for line in examples.splitlines():
            line = line.strip()
            if line.startswith("- "):
                yield line[2:].strip(), {}
    else:
        for entry in examples or ():
            yield str(entry["text"]).strip(), entry.get("metadata") or {}


def read_examples(path: Path) -> Iterator[Tuple[str, str, dict]]:
    """(intent, text, metadata) of each intent example in one NLU file."""
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    for block in document.get("nlu") or ():
        intent = block.get("intent")
        if intent:
            for text, metadata in entries(block):
                yield intent, text, metadata


def load_examples(nlu_dir: Path = NLU_DIR, topics: Optional[TopicMap] = None) -> List[Example]:
    topics = topics or default_topics()
    found: List[Example] = []
    for path in sorted(Path(nlu_dir).glob("*.yml")):
        for intent, text, metadata in read_examples(path):
            topic = metadata.get("topic")
            if topic is None and topics.topics_for(intent):
                topic = topics.select(intent, text).id
            found.append(Example(text, intent, topic))
    return found


@lru_cache(maxsize=1)
def default_examples() -> List[Example]:
    return load_examples()
