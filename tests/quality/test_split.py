"""The fixed split: train and test share no question and no near-duplicate, and
nothing of the test half reaches the bot's training data."""

from collections import Counter

import yaml

from quality import corpus, split, training_data


def halves():
    return split.split(corpus.labelled_questions())


def test_near_duplicate_rule():
    assert split.near_duplicates("do you sell my data?", "my data: do you sell it")  # same words
    assert split.near_duplicates("how long is my information stored?", "for how long is my information stored?")
    assert not split.near_duplicates("do you sell my data?", "do you share my data?")


def test_halves_are_about_even_and_cover_every_question():
    h = halves()
    sizes = {side: len(items) for side, items in h.items()}
    assert sum(sizes.values()) == 1266
    assert 0.4 < sizes[split.TEST] / 1266 < 0.6, sizes
    for side in h.values():  # every kind of label on both sides
        assert {"answer", "not_covered", "out_of_scope"} <= {i.label.kind for i in side}


def test_no_question_and_no_near_duplicate_on_both_sides():
    h = halves()
    train = [(i.question.id, split.words(i.question.text)) for i in h[split.TRAIN]]
    test = [(i.question.id, split.words(i.question.text)) for i in h[split.TEST]]
    assert not {i for i, _ in train} & {i for i, _ in test}
    crossing = [(a, b) for a, wa in train for b, wb in test if split.jaccard(wa, wb) >= split.NEAR_DUPLICATE_JACCARD]
    assert not crossing, crossing[:5]


def test_split_is_fixed_by_the_question_ids():
    questions = corpus.load_questions()
    assert split.assign(questions) == split.assign(list(reversed(questions)))


def test_generated_training_file_is_current():
    assert training_data.OUTPUT.read_text(encoding="utf-8") == training_data.render(), (
        "bot/data/nlu/real_questions.yml is stale: run `make real-nlu`"
    )


def test_the_leak_check_finds_a_training_example_and_its_reworded_copy():
    block = yaml.safe_load((corpus.ROOT / "bot" / "data" / "nlu" / "policy.yml").read_text(encoding="utf-8"))["nlu"][0]
    example = block["examples"].split("\n")[0].lstrip("- ").strip()
    reordered = " ".join(reversed(example.split()))  # the same words in another order
    assert example in [leak[1] for leak in split.training_leaks([example])]
    assert split.training_leaks([reordered])
    assert not split.training_leaks(["zebra quantum harmonica"])


def test_no_training_example_is_a_test_question_or_a_near_duplicate_of_one():
    from quality.review import shop_halves

    tested = halves()[split.TEST] + shop_halves()[split.TEST]  # the shop's own labelled questions too
    leaks = split.training_leaks(i.question.text for i in tested)
    assert not leaks, leaks[:5]


def test_training_file_holds_the_training_half_under_the_right_intents():
    by_text = {training_data.clean(i.question.text): i for i in halves()[split.TRAIN]}
    document = yaml.safe_load(training_data.OUTPUT.read_text(encoding="utf-8"))
    seen = Counter()
    for block in document["nlu"]:
        for entry in block["examples"]:
            item = by_text[entry["text"]]
            assert entry["metadata"]["privacyqa"] == item.question.id
            if item.label.kind == "not_covered":
                assert block["intent"] == "ask_uncovered"
            elif item.label.kind == "answer":
                from bot.actions.topics import default_topics

                topic = default_topics().topic(entry["metadata"]["topic"])
                assert topic.intent == block["intent"] and topic.section_ids[0] in item.label.clauses
            seen[item.label.kind] += 1
    assert seen["answer"] > 250 and seen["not_covered"] > 200
