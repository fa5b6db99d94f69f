"""The widget on the demo shop, driven in headless Chromium against the real stack
(Rasa, action server, intake, mail sink and demo site started by the project launcher)."""

from __future__ import annotations

import re
import sqlite3
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from .conftest import DESKTOP, POLICY, fold, save_screenshot, set_viewport
from .widget_driver import Widget, converse

pytestmark = pytest.mark.browser


def sqlite_path(database_url: str) -> Path:
    assert database_url.startswith("sqlite:///"), database_url
    return Path(database_url[len("sqlite:///") :])


def db_row(stack, sql: str, *args):
    with sqlite3.connect(sqlite_path(stack.database_url)) as db:
        db.row_factory = sqlite3.Row
        return db.execute(sql, args).fetchone()


def test_cookies_answer_quotes_the_clause_and_links_to_it(browser, stack):
    widget = Widget(browser).load(stack.demo_url + "/").open()
    notice = widget.find(".smw-notice")
    assert "stored" in widget.text_of(notice)
    assert notice.find_element(By.TAG_NAME, "a").get_attribute("href") == stack.policy_url

    turn = widget.ask("do you use cookies?")
    quote = turn.find_element(By.CSS_SELECTOR, "blockquote.smw-quote")
    quoted = widget.text_of(quote).strip().strip("“”")
    assert len(quoted) > 40 and fold(quoted) in fold(POLICY["cookies"]["text"])  # verbatim policy text
    link = turn.find_element(By.CSS_SELECTOR, 'a.smw-cite[data-section="cookies"]')
    assert link.get_attribute("href") == f"{stack.policy_url}#clause-cookies"
    assert widget.text_of(link).startswith("Privacy policy, section cookies")
    widget.assert_nothing_ran()
    save_screenshot(browser, "widget-desktop.png")

    # no cookies; no request leaves the shop and the bot
    assert browser.get_cookies() == []
    origins = set(widget.js("return performance.getEntriesByType('resource').map(e => new URL(e.name).origin)"))
    assert origins <= {stack.demo_url, stack.rasa_url}, origins

    # follow the citation: the policy opens in a new tab on that clause
    shop = browser.current_window_handle
    link.click()
    widget.wait(lambda d: len(d.window_handles) == 2, "the policy did not open", timeout=10)
    browser.switch_to.window(next(h for h in browser.window_handles if h != shop))
    set_viewport(browser, DESKTOP)
    widget.wait(lambda d: d.execute_script("return document.readyState") == "complete", timeout=10)
    assert browser.current_url == f"{stack.policy_url}#clause-cookies"
    target = widget.js("""const t = document.querySelector(':target'); if (!t) return null;
        const r = t.getBoundingClientRect(); return [t.id, r.top, r.bottom, innerHeight];""")
    assert target is not None and target[0] == "clause-cookies"
    assert 0 <= target[1] < target[3]  # scrolled into view
    clause = browser.find_element(By.ID, "clause-cookies")
    assert "Cookies and tracking" in clause.text and fold(quoted) in fold(clause.text)
    save_screenshot(browser, "policy-clause.png")
    browser.close()
    browser.switch_to.window(shop)


def test_access_request_through_the_widget_lands_in_intake(browser, stack):
    email = f"widget-{uuid.uuid4().hex[:10]}@example.com"
    widget = Widget(browser).load(stack.demo_url + "/").open()
    card = converse(
        widget,
        "I want a copy of my data",
        {"name": "Jane Widget-Tester", "email": email},
        done=lambda: next(iter(widget.find_all(".smw-log .smw-card[data-reference]:not(.smw-card--handoff)")), None),
    )
    reference = card.get_attribute("data-reference")
    assert re.fullmatch(r"SM-[0-9A-Z]{4}-[0-9A-Z]{4}", reference), reference
    text = widget.js("return arguments[0].innerText", card)
    assert reference in text and "Reply due by" in text
    due = card.find_element(By.CSS_SELECTOR, "time").get_attribute("datetime")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", due)
    assert reference in widget.last_bot_text()  # the bot's own text names it too
    assert widget.user_messages()[-1] == "Yes, send it" or widget.user_messages()[-1].lower().startswith("yes")
    save_screenshot(browser, "widget-request.png")

    row = db_row(stack, "SELECT * FROM dsar_requests WHERE reference = ?", reference)
    assert row is not None, f"{reference} is not in the intake database"
    assert row["request_type"] == "access"
    assert row["requester_email"] == email
    assert str(row["due_on"]) == due  # the date on the card is the deadline intake set
    assert widget.conversation_id() in row["source_conversation_id"]


def test_handoff_through_the_widget(browser, stack):
    email = f"handoff-{uuid.uuid4().hex[:10]}@example.com"
    question = "Please tell me which mailing lists I am on."
    widget = Widget(browser).load(stack.demo_url + "/").open()
    card = converse(
        widget,
        "can I talk to a person",
        {"email": email, "question": question, "name": "Jane Widget-Tester"},
        done=lambda: next(iter(widget.find_all(".smw-log .smw-card--handoff")), None),
    )
    reference = card.get_attribute("data-reference")
    assert reference and "Sent to the Session Music team" in widget.text_of(card)
    row = db_row(stack, "SELECT * FROM handoffs WHERE reference = ?", reference)
    assert row is not None, f"handoff {reference} is not in the intake database"
    assert row["email"] == email and question in row["question"]
    assert row["consent_to_transcript"] in (1, True)
    assert widget.conversation_id() in row["source_conversation_id"]


def test_shopper_markup_is_shown_as_text_on_the_real_stack(browser, stack):
    widget = Widget(browser).load(stack.demo_url + "/").open()
    typed = [
        "<img src=x onerror=\"window.__xss='img'\"> do you use cookies?",
        "<script>window.__xss='script'</script>",
        "[link](javascript:window.__xss='link') javascript:window.__xss='raw'",
    ]
    for text in typed:
        widget.ask(text)
    time.sleep(0.5)
    widget.assert_nothing_ran()
    assert widget.user_messages() == typed
    hrefs = widget.js("return Array.from(document.querySelectorAll('.smw a')).map(a => a.href)")
    assert all(h.startswith(("https:", "mailto:", stack.policy_url)) for h in hrefs), hrefs


def test_keyboard_only(browser, stack):
    widget = Widget(browser).load(stack.demo_url + "/")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    for _ in range(30):  # Tab through the shop page to the launcher
        if widget.active() == widget.launcher:
            break
        widget.active().send_keys(Keys.TAB)
    assert widget.active() == widget.launcher
    widget.active().send_keys(Keys.ENTER)
    assert widget.is_open() and widget.active() == widget.input  # focus goes to the message box

    # back (Shift+Tab) to the first suggested question and press it
    for _ in range(3):
        widget.active().send_keys(Keys.SHIFT, Keys.TAB)
    assert widget.text_of(widget.active()) == "Do you use cookies?"
    widget.active().send_keys(Keys.ENTER)
    widget.wait_reply(0)
    assert widget.find_all('.smw-cite[data-section="cookies"]')
    assert widget.active() == widget.input

    # the citation link is reachable; Tab returns to the box
    widget.active().send_keys(Keys.SHIFT, Keys.TAB)
    assert widget.active().get_attribute("href") == f"{stack.policy_url}#clause-cookies"
    widget.active().send_keys(Keys.TAB)
    assert widget.active() == widget.input

    # type and send with Enter
    widget.active().send_keys("What do you use my data for?")
    before = len(widget.bot_turns())
    widget.active().send_keys(Keys.ENTER)
    widget.wait_reply(before)
    assert widget.user_messages()[-1] == "What do you use my data for?"

    # Esc closes and gives focus back to the launcher; Enter opens with the conversation kept
    widget.active().send_keys(Keys.ESCAPE)
    assert not widget.is_open() and widget.active() == widget.launcher
    widget.active().send_keys(Keys.ENTER)
    assert widget.is_open() and widget.active() == widget.input
    assert len(widget.user_messages()) == 2
    # the close button works from the keyboard too
    close = widget.find(".smw-close")
    close.send_keys(Keys.ENTER)
    assert not widget.is_open()


def test_phone_375px_full_screen_no_horizontal_scroll(mobile_browser, stack):
    widget = Widget(mobile_browser).load(stack.demo_url + "/")
    assert widget.js("return innerWidth") == 375
    assert widget.js("return document.documentElement.scrollWidth") <= 375
    widget.open()
    widget.ask("do you use cookies?")
    assert widget.find_all('.smw-cite[data-section="cookies"]')
    rect = widget.js(
        "const r = document.querySelector('.smw-panel').getBoundingClientRect();"
        "return [r.left, r.top, r.width, r.height, innerWidth, innerHeight]"
    )
    assert rect[:2] == [0, 0] and round(rect[2]) == rect[4] == 375 and round(rect[3]) == rect[5]
    assert widget.js("return document.documentElement.scrollWidth") <= 375
    scroller = widget.js("const s = document.querySelector('.smw-scroll'); return [s.scrollWidth, s.clientWidth]")
    assert scroller[0] <= scroller[1]
    save_screenshot(mobile_browser, "widget-mobile.png")


def test_cors_is_open_only_to_the_shop(stack):
    def preflight(origin):
        request = urllib.request.Request(
            stack.rasa_url + "/webhooks/rest/webhook",
            method="OPTIONS",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.headers.get("Access-Control-Allow-Origin")
        except urllib.error.HTTPError as error:
            return error.headers.get("Access-Control-Allow-Origin")

    assert preflight(stack.demo_url) == stack.demo_url
    assert preflight("https://evil.example") in (None, "")


def test_bot_down_shows_error_retry_and_mailto(browser, bot_down):
    stack = bot_down
    widget = Widget(browser).load(stack.demo_url + "/").open()
    widget.send("do you use cookies?")
    error = widget.wait(lambda d: widget.find_all(".smw-error"), "no error shown", timeout=20)[0]
    widget.wait_idle()
    assert error.get_attribute("role") == "alert"
    assert "can’t be reached" in widget.text_of(error)
    assert widget.input.get_attribute("value") == "do you use cookies?"  # nothing typed is lost
    mailto = error.find_element(By.CSS_SELECTOR, "a.smw-mailto")
    assert mailto.get_attribute("href") == "mailto:sales@sessionmusic.co.uk"
    assert widget.find_all(".smw-msg--failed")
    save_screenshot(browser, "widget-bot-down.png")

    retry = error.find_element(By.CSS_SELECTOR, "button.smw-retry")
    assert widget.text_of(retry) == "Try again"
    retry.click()  # still down: the error comes back, the text is still there
    widget.wait(lambda d: widget.find_all(".smw-error .smw-retry"), "no error after retry", timeout=20)
    widget.wait_idle()
    assert widget.input.get_attribute("value") == "do you use cookies?"
    assert widget.user_messages() == ["do you use cookies?"]
