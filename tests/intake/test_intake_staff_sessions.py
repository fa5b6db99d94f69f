"""Staff page sessions can be revoked: a cookie copied before logout, a password reset or a
deactivation stops working (the account's session version), against the app served on a port
and the real CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests
from intake_support import ROOT, subprocess_env
from test_intake_staff import add_staff, bearer, csrf_of, login

FLASK = str(Path(sys.executable).with_name("flask"))


def copy_of(browser: requests.Session) -> requests.Session:
    """Another browser holding a copy of the session cookie (what a thief would have)."""
    thief = requests.Session()
    thief.cookies.update(browser.cookies)
    return thief


def signed_in(live, browser) -> bool:
    r = browser.get(live.url("/staff/"), allow_redirects=False)
    assert r.status_code in (200, 302), r.status_code
    return r.status_code == 200


def cli(db_url, *args, input=None):
    r = subprocess.run(
        [FLASK, "--app", "intake", *args],
        cwd=ROOT,
        env=subprocess_env(db_url),
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    return r


def test_a_cookie_copied_before_logout_is_refused_after_it(live):
    add_staff(live, "alex", "admin")
    browser, r = login(live, "alex")
    assert r.status_code == 302
    thief = copy_of(browser)
    assert signed_in(live, thief)
    page = browser.get(live.url("/staff/"))
    r = browser.post(live.url("/staff/logout"), data={"csrf_token": csrf_of(page.text)}, allow_redirects=False)
    assert r.status_code == 302
    assert not signed_in(live, thief)
    assert not signed_in(live, browser)
    again, r = login(live, "alex")  # signing in afresh still works
    assert r.status_code == 302 and signed_in(live, again)
    assert not signed_in(live, thief)


def test_a_password_reset_ends_the_sessions_opened_before_it(app_factory, sqlite_url):
    live = app_factory(sqlite_url)
    add_staff(live, "alex", "caseworker")
    browser, _ = login(live, "alex")
    thief = copy_of(browser)
    assert signed_in(live, thief)
    cli(
        sqlite_url,
        "create-staff",
        "--username",
        "alex",
        "--role",
        "caseworker",
        "--update",
        "--password-stdin",
        input="a brand new passphrase\n",
    )
    assert not signed_in(live, thief) and not signed_in(live, browser)
    assert login(live, "alex")[1].status_code == 401  # the old password is gone
    fresh, r = login(live, "alex", "a brand new passphrase")
    assert r.status_code == 302 and signed_in(live, fresh)


def test_deactivation_ends_sessions_and_tokens_even_after_reactivation(app_factory, sqlite_url):
    live = app_factory(sqlite_url)
    token = add_staff(live, "alex", "admin")
    browser, _ = login(live, "alex")
    thief = copy_of(browser)
    assert signed_in(live, thief)
    r = cli(sqlite_url, "deactivate-staff", "--username", "alex")
    assert "deactivated" in r.stdout
    assert not signed_in(live, thief)
    assert live.get("/api/v1/staff/requests", headers=bearer(token)).status_code == 401
    cli(
        sqlite_url,
        "create-staff",
        "--username",
        "alex",
        "--role",
        "admin",
        "--update",
        "--password-stdin",
        input="correct horse battery\n",
    )
    assert not signed_in(live, thief)  # reactivating does not bring the old cookie back
    assert live.get("/api/v1/staff/requests", headers=bearer(token)).status_code == 401
    assert signed_in(live, login(live, "alex")[0])


def test_deactivating_an_unknown_account_is_a_clear_error(sqlite_url):
    r = subprocess.run(
        [FLASK, "--app", "intake", "deactivate-staff", "--username", "nobody"],
        cwd=ROOT,
        env=subprocess_env(sqlite_url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode != 0 and "no staff account 'nobody'" in r.stderr
