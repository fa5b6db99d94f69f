"""The shop's own labelled questions (quality/review.py): staff labels are checked all or nothing,
they split like the real questions without moving them, and only their training half is trained on."""

import pytest
import yaml

from quality import corpus, review, split, training_data

HEADER = "\t".join(review.EXPORT_HEADER)


def export_file(tmp_path, rows, name="labelled.tsv"):
    """A staff-edited export: rows of (label, question)."""
    lines = [HEADER] + [f"{review.question_id(q)}\t{label}\t1\tnot_covered\t{q}" for label, q in rows]
    # (the id column is the export's; the import recomputes it from the text staff kept)
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def target(tmp_path):
    path = tmp_path / "shop" / "labels.tsv"
    path.parent.mkdir()
    path.write_text("\t".join(corpus.SHOP_HEADER) + "\n", encoding="utf-8")
    return path


def test_labelled_rows_are_added_and_blank_ones_left(tmp_path, target):
    source = export_file(
        tmp_path,
        [
            ("cookies", "do you put trackers on my laptop"),
            ("", "something nobody could label"),
            ("not_covered", "do you keep my voice recordings"),
            ("request:erasure", "wipe everything you have on me"),
        ],
    )
    assert review.import_labels(source, target) == 3
    items = {i.question.text: i for i in corpus.load_shop_questions(target)}
    assert set(items) == {
        "do you put trackers on my laptop",
        "do you keep my voice recordings",
        "wipe everything you have on me",
    }
    assert items["do you put trackers on my laptop"].label.clauses == {"cookies"}
    assert items["wipe everything you have on me"].label.request_type == "erasure"
    assert items["do you keep my voice recordings"].question.id == review.question_id("do you keep my voice recordings")
    assert review.import_labels(source, target) == 0, "a second import of the same file adds nothing"


def test_one_bad_row_imports_nothing_and_names_every_problem(tmp_path, target):
    review.import_labels(export_file(tmp_path, [("cookies", "do you use cookies")], "first.tsv"), target)
    before = target.read_bytes()
    source = export_file(
        tmp_path,
        [
            ("1.types", "what do you collect about me"),  # fine on its own
            ("no.such.clause", "who can see my orders"),
            ("not_covered cookies", "do you track my location"),
            ("1.types", "my email is sam@example.org what do you hold"),
            ("1.types", "do you use cookies"),  # already labelled `cookies`
        ],
    )
    source_before = source.read_bytes()
    with pytest.raises(review.LabelImportError) as raised:
        review.import_labels(source, target)
    message = str(raised.value)
    assert "nothing was imported" in message
    for line, words in (
        (3, "no.such.clause"),
        (4, "cannot be combined"),
        (5, "personal data"),
        (6, "already labelled"),
    ):
        assert f"line {line}:" in message and words in message, message
    assert "line 2:" not in message
    assert "sam@example.org" not in message and "who can see my orders" not in message, "questions are not quoted"
    assert target.read_bytes() == before, "the labels file is untouched"
    assert source.read_bytes() == source_before, "the staff's file is untouched"
    assert not list(target.parent.glob("*.partial"))


def test_a_file_that_is_not_an_export_is_refused(tmp_path, target):
    wrong = tmp_path / "wrong.tsv"
    wrong.write_text("question\tlabel\ndo you sell my data\tnot_covered\n", encoding="utf-8")
    with pytest.raises(review.LabelImportError, match="expected the tab-separated header"):
        review.import_labels(wrong, target)
    with pytest.raises(review.LabelImportError, match="cannot be read"):
        review.import_labels(tmp_path / "missing.tsv", target)
    short = export_file(tmp_path, [("cookies", "do you use cookies")], "short.tsv")
    short.write_text(short.read_text().replace("\t1\tnot_covered\t", "\t"), encoding="utf-8")
    with pytest.raises(review.LabelImportError, match="line 2: expected 5 tab-separated columns"):
        review.import_labels(short, target)


def test_a_spreadsheets_byte_order_mark_is_no_problem(tmp_path, target):
    source = export_file(tmp_path, [("cookies", "do you use cookies")])
    source.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    assert review.import_labels(source, target) == 1


def test_edited_question_text_gets_its_own_id(tmp_path, target):
    source = export_file(tmp_path, [("cookies", "do you use cookies, [name]")])
    text = source.read_text().replace("\tdo you use cookies, [name]", "\tdo you use cookies")
    source.write_text(text, encoding="utf-8")
    review.import_labels(source, target)
    (item,) = corpus.load_shop_questions(target)
    assert item.question.text == "do you use cookies" and item.question.id == review.question_id("do you use cookies")


def real_halves():
    return split.split(corpus.labelled_questions())


def test_a_new_shop_question_takes_the_side_of_its_near_duplicates_or_its_hash():
    halves = real_halves()
    test_q, train_q = halves[split.TEST][0].question, halves[split.TRAIN][0].question
    placed = [(i.question, side) for side, items in halves.items() for i in items]
    near_test = corpus.Question("shop-a", test_q.text + " ?")
    near_train = corpus.Question("shop-b", train_q.text.upper())
    unrelated = corpus.Question("shop-c", "zebra crossing quartz fjord")
    sides = split.place_new([near_test, near_train, unrelated], placed)
    assert sides == {"shop-a": split.TEST, "shop-b": split.TRAIN, "shop-c": split.side_of_id("shop-c")}


def opposite(side):
    return split.TEST if side == split.TRAIN else split.TRAIN


def test_a_question_near_both_sides_is_in_neither_and_later_ones_follow_earlier_ones():
    a = corpus.Question("q-train", "who will be able to see my invoices")
    b = corpus.Question("q-test", "who will be able to see my photos")
    bridge = corpus.Question("shop-bridge", "who will be able to see my photos and invoices")
    assert split.near_duplicates(bridge.text, a.text) and split.near_duplicates(bridge.text, b.text)
    assert split.place_new([bridge], [(a, split.TRAIN), (b, split.TEST)]) == {"shop-bridge": split.NEITHER}
    # an earlier question's side wins over a later one's hash (the earlier one is put on the side
    # the later one's id does not hash to, so the test can't pass by the hash alone)
    first = corpus.Question("shop-1", "do you keep my voice recordings")
    later = corpus.Question("shop-0", "but do you keep my voice recordings")
    side = opposite(split.side_of_id(later.id))
    assert split.place_new([later], [(first, side)]) == {later.id: side}
    # within one import too: placed in id order, each seeing the ones before
    both = split.place_new([first, later], [])
    assert both[first.id] == both[later.id] == split.side_of_id(later.id)


def test_import_places_each_question_once_and_keeps_it_there(tmp_path, target):
    neighbour, later = "do you drop tracking pixels on my browser", "but do you drop tracking pixels on my browser"
    side = opposite(split.side_of_id(review.question_id(later)))
    target.write_text(
        "\t".join(corpus.SHOP_HEADER) + f"\n{review.question_id(neighbour)}\tcookies\t{side}\t{neighbour}\n",
        encoding="utf-8",
    )
    rows = [("cookies", q) for q in ("are there cookies from facebook", "can I block the analytics cookies")]
    rows += [("1.types", q) for q in ("what do you collect when I buy speakers", "do you record my phone number")]
    review.import_labels(export_file(tmp_path, rows), target)
    placed = {i.question.id: i.half for i in corpus.load_shop_questions(target)}
    assert len(placed) == 5 and set(placed.values()) <= set(corpus.SHOP_HALVES)
    halves = review.shop_halves(target)
    assert {i.question.id for i in halves[split.TRAIN]} == {q for q, h in placed.items() if h == split.TRAIN}
    assert {i.question.id for i in halves[split.TEST]} == {q for q, h in placed.items() if h == split.TEST}
    # a near-duplicate added later joins its neighbour's side, whatever its own id hashes to
    review.import_labels(export_file(tmp_path, [("cookies", later)], "later.tsv"), target)
    after = {i.question.id: i.half for i in corpus.load_shop_questions(target)}
    assert {q: after[q] for q in placed} == placed, "nothing placed before moves"
    assert after[review.question_id(later)] == side


def test_a_question_the_bot_already_trains_on_goes_to_training_and_a_held_out_one_to_test(tmp_path, target):
    trained = review.training_texts()
    held_out = review.held_out_nlu_texts()
    hand_written = next(t for t in trained if split.side_of_id(review.question_id(t)) == split.TEST)
    held = next(t for t in held_out if split.side_of_id(review.question_id(t)) == split.TRAIN)
    assert not any(split.near_duplicates(held, t) for t in trained), "the held-out set is held out"
    review.import_labels(export_file(tmp_path, [("1.types", hand_written), ("1.types", held)]), target)
    halves = {i.question.text: i.half for i in corpus.load_shop_questions(target)}
    assert halves[review.clean(hand_written)] == split.TRAIN, "already training data: never a test question"
    assert halves[review.clean(held)] in (split.TEST, split.NEITHER), "held out: never trained on"


def test_near_duplicates_must_agree_and_line_numbers_count_blank_lines(tmp_path, target):
    review.import_labels(export_file(tmp_path, [("no-sale", "do you sell my data to anyone")], "a.tsv"), target)
    before = target.read_bytes()
    source = export_file(
        tmp_path,
        [
            ("cookies", "do you use cookies"),
            ("not_covered", "do you use cookies?!"),  # the same words: must agree with the line above
            ("not_covered", "do you sell my data to anyone?"),  # and with the labels file
            ("cookies", "x" * 1001),
        ],
    )
    source.write_text(source.read_text().replace("\n", "\n\n", 1), encoding="utf-8")  # a blank line 2
    with pytest.raises(review.LabelImportError) as raised:
        review.import_labels(source, target)
    message = str(raised.value)
    assert "line 4: the same question as line 3" in message or "line 4: a near-duplicate of line 3" in message, message
    assert "line 5: a near-duplicate of labels.tsv, line 2" in message, message
    assert "line 6: the question is longer than 1000 characters" in message, message
    assert target.read_bytes() == before


def test_only_the_training_half_of_shop_questions_is_trained_on(tmp_path, target):
    lines = ["\t".join(corpus.SHOP_HEADER)]
    for label, half, text in [
        ("cookies", "train", "do you put cookies on my laptop"),
        ("1.types", "train", "what do you collect when I buy mics"),
        ("cookies", "test", "which trackers run on your pages"),
        ("1.types", "neither", "what do you hold about me and my orders"),
    ]:
        lines.append(f"{review.question_id(text)}\t{label}\t{half}\t{text}")
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    halves = review.shop_halves(target)
    assert [i.question.text for i in halves[split.TEST]] == ["which trackers run on your pages"]
    document = yaml.safe_load(training_data.render_shop(halves[split.TRAIN]))
    trained = {e["text"]: (block["intent"], e["metadata"]) for block in document["nlu"] for e in block["examples"]}
    assert set(trained) == {"do you put cookies on my laptop", "what do you collect when I buy mics"}
    from bot.actions.topics import default_topics

    for item in halves[split.TRAIN]:
        intent, metadata = trained[item.question.text]
        assert metadata["shop_question"] == item.question.id
        topic = default_topics().topic(metadata["topic"])
        assert topic.intent == intent and topic.section_ids[0] in item.label.clauses
    assert training_data.render_shop([]) is None


def test_a_labels_file_with_a_bad_half_is_refused(target):
    target.write_text("\t".join(corpus.SHOP_HEADER) + "\nshop-x\tcookies\tboth\tdo you use cookies\n", encoding="utf-8")
    with pytest.raises(corpus.LabelError, match="line 2: half 'both'"):
        corpus.load_shop_questions(target)


def test_generated_shop_training_file_is_current():
    expected = training_data.render_shop()
    if expected is None:
        assert not training_data.SHOP_OUTPUT.exists(), "no shop question to train on: run `make real-nlu`"
    else:
        assert training_data.SHOP_OUTPUT.read_text(encoding="utf-8") == expected, "run `make real-nlu`"


def test_the_shops_labels_file_is_valid_and_its_halves_never_meet():
    shop = corpus.load_shop_questions()  # raises on a bad header, label, half or duplicate
    assert all(not review.personal_data_in(i.question.text) for i in shop)
    assert all(i.question.id == review.question_id(i.question.text) for i in shop)
    real = real_halves()
    sides = {side: [split.words(i.question.text) for i in real[side]] for side in (split.TRAIN, split.TEST)}
    for item in shop:
        if item.half == split.NEITHER:
            continue
        other = split.TEST if item.half == split.TRAIN else split.TRAIN
        mine = split.words(item.question.text)
        crossing = [w for w in sides[other] if split.jaccard(mine, w) >= split.NEAR_DUPLICATE_JACCARD]
        assert not crossing, f"{item.question.id} ({item.half}) has a near-duplicate in {other}"
        sides[item.half].append(mine)


def test_an_export_filled_in_by_staff_imports_as_written(tmp_path, target):
    from intake.conversations import Exchange

    said = 'is my "wish list"\tshared?  call 07700 900333'
    exchanges = [
        Exchange(said, ({"kind": "clarify"},)),
        Exchange(said.upper(), ({"kind": "clarify"},)),  # the same question, shouted
        Exchange("Quentin Zephyr", ({"kind": "clarify"},), in_form=True),  # typed into a form
        Exchange("what do you collect", ({"kind": "answer", "sections": ["1.types"]},)),
        Exchange("do you keep my voice", ({"kind": "not_covered", "nearest": "1.types"},)),
    ]
    rows = review.collect(exchanges)
    assert [(r.question, r.asked, r.bot_reply) for r in rows] == [
        ('is my "wish list" shared? call [number]', 2, "clarify"),
        ("do you keep my voice", 1, "not_covered (nearest 1.types)"),
    ]
    assert [r.question for r in review.collect(exchanges, review.QUESTIONS)][-1] == "what do you collect"
    exported = tmp_path / "export.tsv"
    exported.write_text(review.export_text(rows), encoding="utf-8")
    lines = exported.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("\t\t2\t", "\t2.2 2.3\t2\t", 1)  # staff label the first one only
    exported.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert review.import_labels(exported, target) == 1
    (item,) = corpus.load_shop_questions(target)
    assert item.question.text == 'is my "wish list" shared? call [number]'
    assert item.label.clauses == {"2.2", "2.3"}
    # labelled now: the next export leaves it out, and a near-duplicate of it (staff edited a name out)
    exchanges.append(Exchange('is my "wish list" shared? call', ({"kind": "clarify"},)))
    assert [r.question for r in review.collect(exchanges, labelled=[item.question.text])] == ["do you keep my voice"]


def test_the_command_line_scores_nothing_while_no_shop_question_is_labelled(capsys, monkeypatch, target):
    from quality import __main__ as cli

    monkeypatch.setattr(corpus, "SHOP_LABELS_FILE", target)  # an empty labels file
    assert cli.main(["eval", "--corpus", "shop", "--split", "test"]) == 0
    assert "no labelled questions in the shop corpus's test half yet" in capsys.readouterr().out
    with pytest.raises(SystemExit) as usage:
        cli.main(["eval", "--corpus", "shop", "--write"])
    assert usage.value.code == 2 and "--write is for the real questions" in capsys.readouterr().err


def test_the_command_line_import_says_what_is_wrong_and_fails(tmp_path, capsys):
    from quality import __main__ as cli

    before = corpus.SHOP_LABELS_FILE.read_bytes()
    source = export_file(tmp_path, [("no.such.clause", "who can see my orders")])
    assert cli.main(["review-import", str(source)]) == 1
    err = capsys.readouterr().err
    assert "nothing was imported" in err and "line 2: unknown clause id 'no.such.clause'" in err
    assert corpus.SHOP_LABELS_FILE.read_bytes() == before
