"""Current UK data-protection law as data: load `bot/data/policy/uk-law.yml`.

The law file is the second source of truth beside the shop's 2018 policy: short
plain-English statements of the law as it stands, each with its legislation.gov.uk
source, an ICO guidance page, the date it was last checked and a fingerprint of
what the reviewer checked. `make policy-review` lists entries whose text changed
since their fingerprint, or whose check is older than LAW_REVIEW_MAX_AGE_DAYS.

The file also lists where the 2018 policy is out of date (`outdated_policy_points`,
each naming a policy clause and the law entry that supersedes it) and what the
law requires that the policy never mentions (`policy_silent_on`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple
from urllib.parse import urlsplit

import yaml

from .policy import POLICY_DIR, Policy, default_policy, fingerprint

LAW_FILE = POLICY_DIR / "uk-law.yml"

# `law.` then lower-case words joined by single hyphens: law.complaint-ico
LAW_ID = re.compile(r"^law\.[a-z0-9]+(?:-[a-z0-9]+)*$")
SOURCE_HOSTS = ("www.legislation.gov.uk",)
GUIDANCE_HOSTS = ("ico.org.uk",)
REQUIRED_FIELDS = ("id", "title", "statement", "source", "guidance", "checked", "fingerprint")
POINT_KINDS = ("contradicts", "incomplete")


class LawError(ValueError):
    """The law file is malformed; the message names the entry and the problem."""


@dataclass(frozen=True)
class LawEntry:
    id: str
    title: str
    statement: str
    source: str
    guidance: str
    checked: dt.date
    fingerprint: str
    in_force: Optional[dt.date] = None

    @property
    def current_fingerprint(self) -> str:
        """Fingerprint of what a reviewer vouches for: the statement and both addresses."""
        return entry_fingerprint(self.statement, self.source, self.guidance)

    @property
    def changed(self) -> bool:
        return self.fingerprint != self.current_fingerprint

    def overdue(self, today: dt.date, max_age_days: int) -> bool:
        return (today - self.checked).days > max_age_days


@dataclass(frozen=True)
class OutdatedPoint:
    """A place where the 2018 policy is out of date, and the law that supersedes it."""

    clause: str
    law: Tuple[str, ...]
    kind: str
    point: str
    # Words of the clause that are out of date ("£10", "1998"): an answer that quotes the
    # clause says so only when its quote contains them (None: whenever the clause is quoted).
    mentions: Optional[str] = None

    def applies_to(self, quoted: str) -> bool:
        return self.mentions is None or self.mentions.lower() in quoted.lower()


@dataclass(frozen=True)
class Regulator:
    name: str
    complaint_url: str
    helpline: str


@dataclass(frozen=True)
class LawBook:
    as_of: dt.date
    regulator: Regulator
    entries: Dict[str, LawEntry]
    outdated_policy_points: Tuple[OutdatedPoint, ...]
    policy_silent_on: Tuple[str, ...]

    def __contains__(self, law_id: str) -> bool:
        return law_id in self.entries

    def __getitem__(self, law_id: str) -> LawEntry:
        return self.entries[law_id]

    def ids(self) -> List[str]:
        return list(self.entries)

    def changed_entries(self) -> List[LawEntry]:
        """Entries whose statement or addresses changed since they were last reviewed."""
        return [entry for entry in self.entries.values() if entry.changed]

    def overdue_entries(self, today: dt.date, max_age_days: int) -> List[LawEntry]:
        """Entries last checked more than `max_age_days` before `today`."""
        return [entry for entry in self.entries.values() if entry.overdue(today, max_age_days)]

    def points_for(self, clause_id: str) -> List[OutdatedPoint]:
        return [point for point in self.outdated_policy_points if point.clause == clause_id]


def entry_fingerprint(statement: str, source: str, guidance: str) -> str:
    folded = " ".join(statement.split())
    return fingerprint(f"{folded}\n{source.strip()}\n{guidance.strip()}")


def _date(value, where: str, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise LawError(f"{where}: {field} must be a date like 2026-11-26, not {value!r}") from None


def _url(value: str, hosts: Sequence[str], where: str, field: str) -> str:
    url = str(value).strip()
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.hostname not in hosts or not parts.path.strip("/"):
        raise LawError(f"{where}: {field} must be an https address of a page on {' or '.join(hosts)}, not {url!r}")
    return url


def _entry(raw, index: int) -> LawEntry:
    if not isinstance(raw, dict):
        raise LawError(f"law entry #{index + 1} must be a mapping")
    law_id = str(raw.get("id") or "").strip()
    where = f"law entry {law_id}" if law_id else f"law entry #{index + 1}"
    missing = [field for field in REQUIRED_FIELDS if not str(raw.get(field) or "").strip()]
    if missing:
        raise LawError(f"{where}: missing field(s) {', '.join(missing)}")
    if not LAW_ID.match(law_id):
        raise LawError(f"{where}: bad id {law_id!r} (expected 'law.' and lower-case words joined by hyphens)")
    in_force = raw.get("in_force")
    return LawEntry(
        id=law_id,
        title=" ".join(str(raw["title"]).split()),
        statement=" ".join(str(raw["statement"]).split()),
        source=_url(raw["source"], SOURCE_HOSTS, where, "source"),
        guidance=_url(raw["guidance"], GUIDANCE_HOSTS, where, "guidance"),
        checked=_date(raw["checked"], where, "checked"),
        fingerprint=str(raw["fingerprint"]).strip(),
        in_force=_date(in_force, where, "in_force") if in_force else None,
    )


def _regulator(raw) -> Regulator:
    if not isinstance(raw, dict):
        raise LawError("law YAML needs a 'regulator' mapping (name, complaint_url, helpline)")
    missing = [f for f in ("name", "complaint_url", "helpline") if not str(raw.get(f) or "").strip()]
    if missing:
        raise LawError(f"regulator: missing field(s) {', '.join(missing)}")
    return Regulator(
        name=str(raw["name"]).strip(),
        complaint_url=_url(raw["complaint_url"], GUIDANCE_HOSTS, "regulator", "complaint_url"),
        helpline=str(raw["helpline"]).strip(),
    )


def _known_law_ids(ids: Iterable, entries: Dict[str, LawEntry], where: str) -> Tuple[str, ...]:
    ids = tuple(str(law_id).strip() for law_id in ids or ())
    if not ids:
        raise LawError(f"{where}: names no law entry")
    unknown = [law_id for law_id in ids if law_id not in entries]
    if unknown:
        raise LawError(f"{where}: unknown law entry {', '.join(map(repr, unknown))}")
    return ids


def _points(raw_points, entries: Dict[str, LawEntry], policy: Policy) -> Tuple[OutdatedPoint, ...]:
    points = []
    for index, raw in enumerate(raw_points or ()):
        if not isinstance(raw, dict):
            raise LawError(f"outdated policy point #{index + 1} must be a mapping")
        clause = str(raw.get("clause") or "").strip()
        where = f"outdated policy point #{index + 1} (clause {clause or '?'})"
        if clause not in policy:
            raise LawError(f"{where}: no policy clause with id {clause!r}")
        law = raw.get("law")
        law_ids = _known_law_ids([law] if isinstance(law, str) else law, entries, where)
        kind = str(raw.get("kind") or "").strip()
        if kind not in POINT_KINDS:
            raise LawError(f"{where}: kind must be one of {', '.join(POINT_KINDS)}, not {kind!r}")
        point = " ".join(str(raw.get("point") or "").split())
        if not point:
            raise LawError(f"{where}: missing field point (what is out of date)")
        mentions = str(raw.get("mentions") or "").strip() or None
        if mentions and mentions.lower() not in policy[clause].text.lower():
            raise LawError(f"{where}: clause {clause} does not mention {mentions!r}")
        points.append(OutdatedPoint(clause, law_ids, kind, point, mentions))
    return tuple(points)


def parse_law(document, policy: Optional[Policy] = None) -> LawBook:
    """Validate and load the law file's content; every problem is a LawError naming the entry."""
    if not isinstance(document, dict) or not isinstance(document.get("law"), list):
        raise LawError("law YAML needs a top-level 'law' list")
    policy = policy if policy is not None else default_policy()
    entries: Dict[str, LawEntry] = {}
    for index, raw in enumerate(document["law"]):
        entry = _entry(raw, index)
        if entry.id in entries:
            raise LawError(f"law entry {entry.id}: duplicate id (entry #{index + 1})")
        entries[entry.id] = entry
    if not entries:
        raise LawError("law YAML lists no entries")
    return LawBook(
        as_of=_date(document.get("as_of"), "law YAML", "as_of"),
        regulator=_regulator(document.get("regulator")),
        entries=entries,
        outdated_policy_points=_points(document.get("outdated_policy_points"), entries, policy),
        policy_silent_on=(
            _known_law_ids(document["policy_silent_on"], entries, "policy_silent_on")
            if document.get("policy_silent_on")
            else ()
        ),
    )


def load_law(path: Path = LAW_FILE, policy: Optional[Policy] = None) -> LawBook:
    with open(path, encoding="utf-8") as handle:
        return parse_law(yaml.safe_load(handle), policy)


@lru_cache(maxsize=1)
def default_law() -> LawBook:
    return load_law()


__all__ = [
    "LAW_FILE",
    "LawBook",
    "LawEntry",
    "LawError",
    "OutdatedPoint",
    "Regulator",
    "default_law",
    "entry_fingerprint",
    "load_law",
    "parse_law",
]
