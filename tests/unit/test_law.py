"""The law file (bot/data/policy/uk-law.yml), its loader and its review by `make policy-review`."""

import copy
import datetime as dt
import re
import shutil

import pytest
import yaml

from actions.law import LAW_FILE, LawError, default_law, entry_fingerprint, load_law, parse_law
from actions.policy import default_policy
from scripts import policy_review

TODAY = dt.date(2026, 11, 26)

# The statements issue 9 asks for; ids are a public contract (the bot and widget will cite them).
REQUIRED_IDS = {
    "law.complaint-controller",
    "law.complaint-ico",
    "law.portability",
    "law.restriction",
    "law.objection",
    "law.automated-decisions",
    "law.response-time",
    "law.extension",
    "law.stop-the-clock",
    "law.access-free",
    "law.reasonable-search",
    "law.current-act",
}
STABLE_ID = re.compile(r"^law\.[a-z0-9]+(-[a-z0-9]+)*$")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z£])")
LEGALESE = ("data subject", "controller", "shall", "pursuant", "hereby", "thereof", "notwithstanding")


def raw_document():
    return yaml.safe_load(LAW_FILE.read_text(encoding="utf-8"))


def raw_entries():
    return raw_document()["law"]


# --- the shipped file ------------------------------------------------------------


def test_every_statement_the_issue_asks_for_is_there():
    assert REQUIRED_IDS <= set(default_law().ids())


def test_ids_are_unique_and_stable_looking_in_the_file_itself():
    ids = [entry["id"] for entry in raw_entries()]
    assert len(ids) == len(set(ids)), f"duplicate ids: {sorted(i for i in ids if ids.count(i) > 1)}"
    for law_id in ids:
        assert STABLE_ID.match(law_id), law_id


def test_every_entry_has_every_field_filled():
    for entry in raw_entries():
        for field in ("id", "title", "statement", "source", "guidance", "checked", "fingerprint"):
            assert str(entry.get(field) or "").strip(), f"{entry.get('id')}: no {field}"


def test_sources_are_legislation_and_guidance_is_the_ico_over_https():
    for entry in raw_entries():
        assert entry["source"].startswith("https://www.legislation.gov.uk/"), entry["id"]
        assert re.match(r"https://www\.legislation\.gov\.uk/(ukpga/2018/12|eur/2016/679)/", entry["source"]), (
            f"{entry['id']}: source is neither the DPA 2018 nor the UK GDPR"
        )
        assert entry["guidance"].startswith("https://ico.org.uk/"), entry["id"]


def test_statements_are_short_plain_english():
    for entry in default_law().entries.values():
        sentences = SENTENCE_END.split(entry.statement)
        assert 2 <= len(sentences) <= 3, f"{entry.id}: {len(sentences)} sentences"
        lowered = entry.statement.lower()
        for word in LEGALESE:
            assert not re.search(rf"\b{word}\b", lowered), f"{entry.id} uses legal jargon {word!r}"


def test_no_statement_changed_since_it_was_checked():
    changed = default_law().changed_entries()
    assert not changed, (
        "These law statements (or their addresses) changed since they were checked; check each "
        "against its source, then accept it (make policy-review ACCEPT=<law id>):\n"
        + "\n".join(f"  {e.id}: {e.fingerprint} -> {e.current_fingerprint}" for e in changed)
    )


def test_checked_dates_are_real_and_not_in_the_future_of_the_file():
    law = default_law()
    for entry in law.entries.values():
        assert entry.checked <= law.as_of, entry.id
        if entry.in_force:
            assert entry.in_force <= entry.checked, f"{entry.id} checked before it was in force"


def test_the_ico_entry_gives_the_regulators_web_address_and_helpline():
    law = default_law()
    statement = law["law.complaint-ico"].statement
    assert law.regulator.complaint_url == "https://ico.org.uk/make-a-complaint/"
    assert law.regulator.helpline == "0303 123 1113"
    assert law.regulator.complaint_url in statement
    assert law.regulator.helpline in statement


def test_outdated_points_name_real_policy_clauses_and_real_law_entries():
    law, policy = default_law(), default_policy()
    assert law.outdated_policy_points
    for point in law.outdated_policy_points:
        assert point.clause in policy, point
        for law_id in point.law:
            assert law_id in law, point
    for law_id in law.policy_silent_on:
        assert law_id in law


def test_every_clause_citing_the_1998_act_or_the_10_pound_fee_is_listed_as_outdated():
    law, policy = default_law(), default_policy()
    for clause_id in policy.ids():
        text = policy[clause_id].text
        superseding = {law_id for point in law.points_for(clause_id) for law_id in point.law}
        if "1998" in text or re.search(r"\bthe Act\b", text):
            assert "law.current-act" in superseding, f"clause {clause_id} cites the 1998 Act"
        if "£10" in text:
            assert "law.access-free" in superseding, f"clause {clause_id} asks for a £10 fee"


# --- the loader refuses bad input, naming the entry ----------------------------------


def good_document():
    return copy.deepcopy(raw_document())


def with_entry(change):
    document = good_document()
    change(document["law"][1])
    return document


@pytest.mark.parametrize(
    "document, message",
    [
        ({}, "top-level 'law' list"),
        (with_entry(lambda e: e.pop("source")), r"law entry law\.complaint-controller: missing field\(s\) source"),
        (with_entry(lambda e: e.update(statement="  ")), r"law\.complaint-controller: missing field\(s\) statement"),
        (with_entry(lambda e: e.pop("id")), r"law entry #2: missing field\(s\) id"),
        (with_entry(lambda e: e.update(id="law.Complaint_Controller")), "bad id 'law.Complaint_Controller'"),
        (with_entry(lambda e: e.update(id="complaint-controller")), "bad id 'complaint-controller'"),
        (
            with_entry(lambda e: e.update(source="http://www.legislation.gov.uk/ukpga/2018/12/section/164A")),
            r"law\.complaint-controller: source must be an https address",
        ),
        (
            with_entry(lambda e: e.update(source="https://example.com/ukpga/2018/12/section/164A")),
            r"law\.complaint-controller: source must be .*www\.legislation\.gov\.uk",
        ),
        (
            with_entry(lambda e: e.update(guidance="https://ico.org.uk.example.net/complaints/")),
            r"law\.complaint-controller: guidance must be .*ico\.org\.uk",
        ),
        (with_entry(lambda e: e.update(checked="26/11/2026")), r"law\.complaint-controller: checked must be a date"),
        (with_entry(lambda e: e.update(id="law.current-act")), r"law entry law\.current-act: duplicate id"),
    ],
)
def test_malformed_law_file_is_refused_with_an_error_naming_the_entry(document, message):
    with pytest.raises(LawError, match=message):
        parse_law(document, default_policy())


def test_outdated_points_with_unknown_clauses_or_law_ids_are_refused():
    document = good_document()
    document["outdated_policy_points"][0]["clause"] = "9.9.9"
    with pytest.raises(LawError, match=r"point #1 \(clause 9\.9\.9\): no policy clause"):
        parse_law(document, default_policy())
    document = good_document()
    document["outdated_policy_points"][0]["law"] = "law.no-such-thing"
    with pytest.raises(LawError, match=r"point #1 \(clause access\): unknown law entry 'law\.no-such-thing'"):
        parse_law(document, default_policy())
    document = good_document()
    document["outdated_policy_points"][0]["kind"] = "wrong"
    with pytest.raises(LawError, match="kind must be one of"):
        parse_law(document, default_policy())
    document = good_document()
    document["policy_silent_on"].append("law.no-such-thing")
    with pytest.raises(LawError, match="policy_silent_on: unknown law entry"):
        parse_law(document, default_policy())


def test_fingerprint_follows_the_words_and_addresses_not_the_line_breaks():
    base = entry_fingerprint("You can  complain.\nIt is free.", "https://a", "https://b")
    assert base == entry_fingerprint("You can complain. It is free.", "https://a", "https://b")
    assert base != entry_fingerprint("You cannot complain. It is free.", "https://a", "https://b")
    assert base != entry_fingerprint("You can complain. It is free.", "https://a2", "https://b")
    assert base != entry_fingerprint("You can complain. It is free.", "https://a", "https://b2")


# --- the review mechanism: make policy-review -----------------------------------------


@pytest.fixture
def law_copy(tmp_path):
    path = tmp_path / "uk-law.yml"
    shutil.copyfile(LAW_FILE, path)
    return path


def edit_statement(path, law_id, new_first_words):
    text = path.read_text(encoding="utf-8")
    block_start = text.index(f"  - id: {law_id}\n")
    statement_at = text.index("    statement: >-\n", block_start) + len("    statement: >-\n")
    path.write_text(text[:statement_at] + f"      {new_first_words}\n" + text[statement_at:], encoding="utf-8")


def review(capsys, law_file, today=TODAY, **env):
    code = policy_review.main(law_file=law_file, today=today, env=env)
    return code, capsys.readouterr().out


def test_review_is_quiet_when_every_statement_is_as_checked(capsys, law_copy):
    code, out = review(capsys, law_copy)
    assert code == 0
    assert "All law statements are as last checked" in out


def test_review_reports_a_statement_edited_since_its_fingerprint(capsys, law_copy):
    edit_statement(law_copy, "law.extension", "Usually.")
    code, out = review(capsys, law_copy)
    assert code == 1
    assert "law entry law.extension (When an organisation may take longer): its statement" in out
    assert "statement: Usually. If a request is complex" in out
    assert "source: https://www.legislation.gov.uk/eur/2016/679/article/12A" in out
    reported = set(re.findall(r"^law entry (law\.[a-z-]+)", out, re.M))
    assert reported == {"law.extension"}


def test_accepting_a_checked_statement_records_its_fingerprint_and_todays_date(capsys, law_copy):
    edit_statement(law_copy, "law.extension", "Usually.")
    before = law_copy.read_text(encoding="utf-8").splitlines()
    later = TODAY + dt.timedelta(days=3)
    code, out = review(capsys, law_copy, today=later, ACCEPT="law.extension")
    assert code == 0, out
    entry = load_law(law_copy)["law.extension"]
    assert not entry.changed
    assert entry.checked == later
    after = law_copy.read_text(encoding="utf-8").splitlines()
    differing = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(before) == len(after) and len(differing) == 2  # only its checked and fingerprint lines
    assert all(b.startswith(("    checked:", "    fingerprint:")) for _, b in differing)
    assert review(capsys, law_copy, today=later)[0] == 0


def test_accepting_an_entry_with_nothing_to_review_changes_nothing(capsys, law_copy):
    before = law_copy.read_bytes()
    code, out = review(capsys, law_copy, ACCEPT="law.extension")
    assert code == 1 and "nothing to accept for law entry 'law.extension'" in out
    code, out = review(capsys, law_copy, ACCEPT="law.no-such-entry")
    assert code == 1 and "nothing to accept" in out
    assert law_copy.read_bytes() == before


def test_review_reports_statements_checked_too_long_ago(capsys, law_copy):
    checked = load_law(law_copy)["law.access-free"].checked
    code, out = review(capsys, law_copy, today=checked + dt.timedelta(days=180))
    assert code == 0, "180 days old is within the default age"
    code, out = review(capsys, law_copy, today=checked + dt.timedelta(days=181))
    assert code == 1
    assert (
        "law entry law.access-free (A copy of your data is free): it was last checked 181 days ago (more than 180)"
        in out
    )
    code, out = review(capsys, law_copy, today=checked + dt.timedelta(days=181), LAW_REVIEW_MAX_AGE_DAYS="365")
    assert code == 0, out


def test_accepting_an_overdue_entry_renews_its_checked_date(capsys, law_copy):
    later = load_law(law_copy)["law.access-free"].checked + dt.timedelta(days=400)
    code, out = review(capsys, law_copy, today=later, ACCEPT="law.access-free")
    assert code == 0, out
    assert load_law(law_copy)["law.access-free"].checked == later


@pytest.mark.parametrize("value", ["six months", "0", "-5", "1.5"])
def test_a_bad_review_age_is_a_clear_error_and_touches_nothing(capsys, law_copy, value):
    before = law_copy.read_bytes()
    code, out = review(capsys, law_copy, LAW_REVIEW_MAX_AGE_DAYS=value, ACCEPT="law.extension")
    assert code == 2
    assert f"LAW_REVIEW_MAX_AGE_DAYS must be a whole number of days (1 or more), not {value!r}" in out
    assert law_copy.read_bytes() == before


def test_a_malformed_law_file_stops_the_review_with_the_loader_error(capsys, law_copy):
    text = law_copy.read_text(encoding="utf-8")
    law_copy.write_text(text.replace("https://www.legislation.gov.uk/ukpga/2018/12/section/165", "http://x/165"))
    with pytest.raises(LawError, match=r"law\.complaint-ico: source must be"):
        policy_review.main(law_file=law_copy, today=TODAY, env={})


def test_the_topic_summaries_are_still_reviewed_beside_the_law(capsys, law_copy, tmp_path):
    from actions.topics import TOPICS_FILE

    topics = tmp_path / "topics.yml"
    text = TOPICS_FILE.read_text(encoding="utf-8")
    topics.write_text(text.replace("fingerprint: 0a4e5bce7ead8e3d", "fingerprint: ffffffffffffffff", 1))
    code = policy_review.main(topics_file=topics, law_file=law_copy, today=TODAY, env={})
    out = capsys.readouterr().out
    assert code == 1 and "topic sensitive_data (intent ask_sensitive_data) rests on changed clause 1.sensitive" in out
    assert policy_review.main(topics_file=topics, law_file=law_copy, today=TODAY, env={"ACCEPT": "sensitive_data"}) == 0
    assert topics.read_text(encoding="utf-8") == text


def test_the_owners_page_lists_every_law_entry_and_every_outdated_clause():
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "law.md").read_text(encoding="utf-8")
    law = default_law()
    for law_id in law.ids():
        assert f"`{law_id}`" in page, f"docs/law.md does not list {law_id}"
    for point in law.outdated_policy_points:
        assert f"`{point.clause}`" in page, f"docs/law.md does not name outdated clause {point.clause}"
    assert "LAW_REVIEW_MAX_AGE_DAYS" in page and f"`{policy_review.DEFAULT_LAW_MAX_AGE_DAYS}`" in page


def test_an_outdated_point_applies_to_a_quote_only_when_it_contains_the_outdated_words():
    fee = next(p for p in default_law().points_for("access") if p.law == ("law.access-free",))
    assert fee.applies_to(default_policy()["access"].text)
    assert not fee.applies_to(default_policy()["access"].quote((1,)))
    document = good_document()
    document["outdated_policy_points"][0]["mentions"] = "a phrase the clause never uses"
    with pytest.raises(LawError, match="does not mention"):
        parse_law(document)
