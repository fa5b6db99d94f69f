"""The widget's renderer and error handling, against a stand-in bot (see fakebot.py).

Why a test double here: the component under test is the widget, and these tests need bot
replies the real bot never sends (markup and `javascript:` links in bot text, broken
payloads, 500s, answers slower than the time-out). Everything else runs on the real stack
(test_widget_stack.py).
"""

from __future__ import annotations

import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from .fakebot import Reply
from .widget_driver import Widget

pytestmark = pytest.mark.browser

IMG = "<img src=x onerror=\"window.__xss='img'\">"
SCRIPT = "<script>window.__xss='script'</script>"
SVG = "<svg onload=\"window.__xss='svg'\"></svg>"


def hostile_reply(policy_url):
    return [
        {"recipient_id": "t", "text": f"Bot says {IMG} and {SCRIPT}\nand {SVG}"},
        {
            "recipient_id": "t",
            "text": "[click me](javascript:window.__xss='md')\n"
            "javascript:window.__xss='raw'\n"
            "[data](data:text/html,<script>window.__xss='data'</script>)\n"
            "Plain http is not linked: http://evil.example/steal",
        },
        {
            "recipient_id": "t",
            "text": "> “<b>quoted</b> " + IMG + "”\n"
            "Privacy policy, section cookies: javascript:window.__xss='cite'\n"
            "Privacy policy, section cookies: https://evil.example/privacy-policy#clause-cookies\n"
            f"Privacy policy, section access: {policy_url}#clause-cookies",
        },
        {
            "recipient_id": "t",
            "text": f"Fine links: https://www.sessionmusic.co.uk/pages/contact, sales@sessionmusic.co.uk "
            f"and {policy_url}#clause-contact.",
        },
        {
            "recipient_id": "t",
            "text": "Pick one",
            "buttons": [
                {"title": IMG, "payload": "/affirm"},
                {"title": "javascript:window.__xss='button'", "payload": "javascript:window.__xss='payload'"},
            ],
        },
        {
            "recipient_id": "t",
            "custom": {
                "kind": "answer",
                "sections": [
                    'cookies"><img src=x onerror="window.__xss=\'section\'">',
                    "javascript:alert(1)",
                    "contact",
                ],
            },
        },
        {
            "recipient_id": "t",
            "custom": {
                "kind": "request",
                "request_type": "<i>access</i>",
                "status": "completed",
                "reference": IMG,
                "due_date": SCRIPT,
            },
        },
        {"recipient_id": "t", "custom": {"kind": "handoff", "reference": "<b>SM-XSS</b>"}},
        {"recipient_id": "t", "image": "https://evil.example/tracker.png"},
    ]


def all_hrefs(widget):
    return widget.js("return Array.from(document.querySelectorAll('.smw a')).map(a => a.getAttribute('href'))")


def test_bot_text_with_markup_and_script_links_is_shown_as_text(browser, fake_bot):
    bot = fake_bot(lambda message: hostile_reply(bot.policy_url))
    widget = Widget(browser).load(bot.url + "/").open()
    turn = widget.ask("hello")
    time.sleep(0.5)  # give any injected onerror/onload a chance to fire
    widget.assert_nothing_ran()

    text = widget.text_of(turn)
    for literal in (
        IMG,
        SCRIPT,
        SVG,
        "[click me](javascript:window.__xss='md')",
        "javascript:window.__xss='raw'",
        "http://evil.example/steal",
        "<b>quoted</b>",
        "Privacy policy, section cookies: javascript:window.__xss='cite'",
        "Privacy policy, section cookies: https://evil.example/privacy-policy#clause-cookies",
    ):
        assert literal in text, literal
    # links: only https, mailto and the policy page; never javascript:, data: or other http
    hrefs = all_hrefs(widget)
    assert all(h.startswith(("https:", "mailto:", bot.policy_url)) for h in hrefs), hrefs
    assert not any("evil.example" in h for h in hrefs), hrefs
    assert "https://www.sessionmusic.co.uk/pages/contact" in hrefs
    assert "mailto:sales@sessionmusic.co.uk" in hrefs
    assert f"{bot.policy_url}#clause-contact" in hrefs
    # a citation whose URL is not that clause on the policy page is not a link
    cites = [
        (a.get_attribute("data-section"), a.get_attribute("href"))
        for a in turn.find_elements(By.CSS_SELECTOR, ".smw-cite")
    ]
    assert ("cookies", f"{bot.policy_url}#clause-cookies") not in cites
    assert ("contact", f"{bot.policy_url}#clause-contact") in cites  # from custom.sections
    assert all(section in ("contact",) for section, _ in cites), cites
    # buttons: titles as text; the card values as text
    titles = [widget.text_of(b) for b in widget.reply_buttons()]
    assert titles == [IMG, "javascript:window.__xss='button'"]
    cards = turn.find_elements(By.CSS_SELECTOR, ".smw-card")
    assert len(cards) == 2
    assert IMG in widget.text_of(cards[0]) and SCRIPT in widget.text_of(cards[0])
    assert "<b>SM-XSS</b>" in widget.text_of(cards[1])
    # image messages are not rendered (no third-party requests)
    assert not widget.js("return performance.getEntriesByType('resource').some(e => e.name.includes('evil.example'))")

    # pressing a hostile button sends its payload as a message and shows the title as text
    widget.click_reply(widget.reply_buttons()[1])
    time.sleep(0.3)
    widget.assert_nothing_ran()
    assert bot.received[-1]["message"] == "javascript:window.__xss='payload'"
    assert widget.user_messages()[-1] == "javascript:window.__xss='button'"


def test_shopper_text_with_markup_is_shown_as_typed(browser, fake_bot):
    bot = fake_bot(lambda message: [{"recipient_id": "t", "text": "Noted."}])
    widget = Widget(browser).load(bot.url + "/").open()
    typed = [f"look {IMG}", SCRIPT, "[x](javascript:window.__xss='shopper')", "javascript:window.__xss=1"]
    for text in typed:
        widget.ask(text)
    time.sleep(0.5)
    widget.assert_nothing_ran()
    assert widget.user_messages() == typed
    assert [r["message"] for r in bot.received] == typed
    assert not widget.find_all(".smw-msg--user a")


def test_quote_citation_line_breaks_and_sources(browser, fake_bot):
    bot = fake_bot(
        lambda message: [
            {"recipient_id": "t", "text": "First line\nsecond line\n\nnew paragraph"},
            {
                "recipient_id": "t",
                "text": f"> “Quoted, exactly:  two  spaces & <tags>.”\n> second quoted line\n"
                f"Privacy policy, section cookies: {bot.policy_url}#clause-cookies",
            },
            {"recipient_id": "t", "custom": {"kind": "answer", "sections": ["cookies", "2.1.1"]}},
        ]
    )
    widget = Widget(browser).load(bot.url + "/").open()
    turn = widget.ask("cookies?")
    paragraphs = turn.find_elements(By.CSS_SELECTOR, ".smw-bubble > p")
    assert widget.js("return arguments[0].innerText", paragraphs[0]) == "First line\nsecond line"
    assert widget.text_of(paragraphs[1]) == "new paragraph"
    quote = turn.find_element(By.CSS_SELECTOR, "blockquote.smw-quote")
    assert widget.text_of(quote) == "“Quoted, exactly:  two  spaces & <tags>.”second quoted line"
    assert widget.js("return arguments[0].querySelectorAll('br').length", quote) == 1
    links = {a.get_attribute("data-section"): a for a in turn.find_elements(By.CSS_SELECTOR, "a.smw-cite")}
    assert set(links) == {"cookies", "2.1.1"}  # cookies from the text, 2.1.1 from custom.sections (no duplicate)
    assert links["cookies"].get_attribute("href") == f"{bot.policy_url}#clause-cookies"
    assert links["2.1.1"].get_attribute("href") == f"{bot.policy_url}#clause-2.1.1"
    assert widget.text_of(links["2.1.1"]).startswith("Privacy policy, section 2.1.1")
    assert links["cookies"].get_attribute("target") == "_blank"
    assert "noopener" in links["cookies"].get_attribute("rel")


def test_a_law_citation_renders_as_law_not_as_the_policy(browser, fake_bot):
    """The bot's own law answer (answers.law_answer, as the REST channel sends it): each
    statement's citation is a line labelled "UK law" linking to the legislation and the
    ICO, never a policy-section link; a forged law line pointing elsewhere stays text."""
    from actions import answers
    from actions.law import default_law

    law = default_law()
    entries = [law["law.complaint-controller"], law["law.complaint-ico"]]
    composed = answers.law_answer("complaints", entries, "sales@sessionmusic.co.uk")
    rest = [{"recipient_id": "t", **({"custom": m["json_message"]} if "json_message" in m else m)} for m in composed]
    forged = "UK law (Fake): https://evil.example/law (ICO guidance: https://ico.org.uk/x)"
    bot = fake_bot(lambda message: rest + [{"recipient_id": "t", "text": forged}])
    widget = Widget(browser).load(bot.url + "/").open()
    turn = widget.ask("I want to complain")
    lines = turn.find_elements(By.CSS_SELECTOR, "p.smw-law-line")
    assert len(lines) == 2
    for line, entry in zip(lines, entries):
        assert widget.text_of(line.find_element(By.CSS_SELECTOR, ".smw-law-badge")).upper() == "UK LAW"
        source = line.find_element(By.CSS_SELECTOR, "a.smw-law-cite")
        assert source.get_attribute("href") == entry.source and widget.text_of(source).startswith(entry.title)
        hrefs = [a.get_attribute("href") for a in line.find_elements(By.CSS_SELECTOR, "a")]
        assert hrefs == [entry.source, entry.guidance]
    assert turn.find_elements(By.CSS_SELECTOR, "a.smw-cite, .smw-sources") == []  # no policy citation
    assert "UK law (Fake)" in widget.text_of(turn)  # a law line to another site: ordinary text, not a law line
    badge = lines[0].find_element(By.CSS_SELECTOR, ".smw-law-badge")
    assert badge.value_of_css_property("background-color") != lines[0].value_of_css_property("background-color")


def test_confirmation_cards(browser, fake_bot):
    bot = fake_bot(
        lambda message: {
            "request": [
                {"recipient_id": "t", "text": "Done. Your reference is SM-7K3Q-9D2P."},
                {
                    "recipient_id": "t",
                    "custom": {
                        "kind": "request",
                        "request_type": "access",
                        "status": "awaiting_verification",
                        "reference": "SM-7K3Q-9D2P",
                        "due_date": "2026-12-29",
                    },
                },
            ],
            "handoff": [
                {"recipient_id": "t", "text": "Sent."},
                {"recipient_id": "t", "custom": {"kind": "handoff", "reference": "SM-AB12-CD34"}},
            ],
            "started": [
                {"recipient_id": "t", "text": "What's your full name?"},
                {"recipient_id": "t", "custom": {"kind": "request", "request_type": "access"}},
                {"recipient_id": "t", "custom": {"kind": "handoff"}},
                {"recipient_id": "t", "custom": {"kind": "not_covered"}},
            ],
        }[message]
    )
    widget = Widget(browser).load(bot.url + "/").open()
    assert not widget.ask("started").find_elements(By.CSS_SELECTOR, ".smw-card")

    card = widget.ask("request").find_element(By.CSS_SELECTOR, ".smw-card")
    assert card.get_attribute("data-reference") == "SM-7K3Q-9D2P"
    text = widget.js("return arguments[0].innerText", card)
    assert "Request received" in text and "Copy of your data" in text and "SM-7K3Q-9D2P" in text
    assert "29 December 2026" in text
    assert card.find_element(By.CSS_SELECTOR, "time").get_attribute("datetime") == "2026-12-29"

    card = widget.ask("handoff").find_element(By.CSS_SELECTOR, ".smw-card--handoff")
    assert card.get_attribute("data-reference") == "SM-AB12-CD34"
    assert "Sent to the Session Music team" in widget.text_of(card)


def test_server_error_keeps_the_text_offers_retry_and_mailto(browser, fake_bot):
    calls = []

    def script(message):
        calls.append(message)
        if len(calls) == 1:
            return Reply({"error": "boom"}, status=500)
        return [{"recipient_id": "t", "text": "Back again."}]

    bot = fake_bot(script)
    widget = Widget(browser).load(bot.url + "/").open()
    widget.send("Do you sell my data?")
    error = widget.wait(lambda d: widget.find_all(".smw-error"), "no error shown")[0]
    widget.wait_idle()
    assert error.get_attribute("role") == "alert"
    assert "can’t be reached" in widget.text_of(error)
    assert widget.input.get_attribute("value") == "Do you sell my data?"  # nothing typed is lost
    mailto = error.find_element(By.CSS_SELECTOR, "a.smw-mailto")
    assert mailto.get_attribute("href") == "mailto:sales@sessionmusic.co.uk"
    assert widget.find_all(".smw-msg--failed")

    error.find_element(By.CSS_SELECTOR, ".smw-retry").click()
    widget.wait(lambda d: "Back again." in widget.last_bot_text(), "retry did not get the answer")
    widget.wait_idle()
    assert calls == ["Do you sell my data?", "Do you sell my data?"]
    assert not widget.find_all(".smw-error") and not widget.find_all(".smw-msg--failed")
    assert widget.user_messages() == ["Do you sell my data?"]
    assert widget.input.get_attribute("value") == ""
    assert widget.active() == widget.input


def test_timeout_and_empty_reply_are_errors(browser, fake_bot):
    bot = fake_bot(lambda message: Reply([], delay=4) if message == "slow" else Reply([]), timeout="2")
    widget = Widget(browser).load(bot.url + "/").open()
    started = time.monotonic()
    widget.send("slow")
    error = widget.wait(lambda d: widget.find_all(".smw-error"), "no time-out shown", timeout=10)[0]
    assert time.monotonic() - started < 4
    assert "taking too long" in widget.text_of(error)
    assert widget.input.get_attribute("value") == "slow"

    widget.input.clear()
    widget.send("empty")
    widget.wait(lambda d: "can’t be reached" in widget.text_of(widget.find(".smw-error")), "empty reply not an error")
    assert widget.input.get_attribute("value") == "empty"
    assert widget.user_messages() == ["empty"]  # the unsent "slow" was replaced, not duplicated


def test_conversation_id_in_session_storage_no_cookies_and_start_over(browser, fake_bot):
    bot = fake_bot(lambda message: [{"recipient_id": "t", "text": f"You said {message}"}])
    widget = Widget(browser).load(bot.url + "/").open()
    widget.ask("first")
    first_id = widget.conversation_id()
    assert first_id and bot.received[-1]["sender"] == first_id

    browser.refresh()  # same tab: the conversation and its transcript carry on
    widget.load(bot.url + "/").open()
    assert widget.user_messages() == ["first"] and "You said first" in widget.last_bot_text()
    widget.ask("second")
    assert bot.received[-1]["sender"] == first_id
    assert browser.get_cookies() == [] and widget.js("return document.cookie") == ""

    widget.find(".smw-restart").click()
    assert widget.user_messages() == [] and widget.bot_turns() == []
    assert widget.js("return sessionStorage.length") == 0
    assert widget.active() == widget.input
    widget.ask("third")
    assert widget.conversation_id() not in (None, first_id)
    assert bot.received[-1]["sender"] == widget.conversation_id()


def test_quick_replies_send_payload_and_show_title(browser, fake_bot):
    bot = fake_bot(
        lambda message: (
            [
                {
                    "recipient_id": "t",
                    "text": "Shall I send it?",
                    "buttons": [
                        {"title": "Yes, send it", "payload": "/affirm"},
                        {"title": "No, cancel", "payload": "/cancel"},
                    ],
                }
            ]
            if message != "/affirm"
            else [{"recipient_id": "t", "text": "Sent."}]
        )
    )
    widget = Widget(browser).load(bot.url + "/").open()
    # the greeting's suggestions are quick replies too: their text is the message
    suggestion = widget.find(".smw-greeting .smw-reply")
    widget.click_reply(suggestion)
    assert bot.received[-1]["message"] == widget.user_messages()[-1] == "Do you use cookies?"
    assert not widget.find_all(".smw-greeting .smw-reply")

    widget.click_reply(widget.reply_buttons()[0])
    assert bot.received[-1]["message"] == "/affirm"
    assert widget.user_messages()[-1] == "Yes, send it"
    assert widget.reply_buttons() == []  # used quick replies go away
    assert widget.active() == widget.input  # focus does not fall to the page


def test_aria_roles_labels_and_live_region(browser, fake_bot):
    bot = fake_bot(lambda message: [{"recipient_id": "t", "text": "Hello."}])
    widget = Widget(browser).load(bot.url + "/")
    launcher = widget.launcher
    assert launcher.get_attribute("aria-expanded") == "false"
    assert launcher.get_attribute("aria-controls") == "smw-panel"
    widget.open()
    assert launcher.get_attribute("aria-expanded") == "true"
    panel = widget.panel
    assert panel.get_attribute("role") == "dialog"
    assert (
        widget.text_of(browser.find_element(By.ID, panel.get_attribute("aria-labelledby")))
        == "Session Music privacy help"
    )
    log = widget.find(".smw-log")
    assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
    notice = widget.find(".smw-notice")
    assert "stored" in widget.text_of(notice)
    assert notice.find_element(By.TAG_NAME, "a").get_attribute("href") == bot.policy_url
    # every control has an accessible name
    unnamed = widget.js("""
      return Array.from(document.querySelectorAll('.smw button, .smw textarea, .smw a')).filter(el => {
        if (el.labels && el.labels.length) return false;
        return !(el.getAttribute('aria-label') || el.textContent.trim());
      }).map(el => el.outerHTML);""")
    assert unnamed == []
    widget.ask("hi")
    assert log.find_elements(
        By.CSS_SELECTOR, ".smw-msg--bot:not(.smw-greeting)"
    )  # new messages land in the live region


CONTRAST_JS = """
function rgb(s) { const m = s.match(/[\\d.]+/g).map(Number); return m.length > 3 && m[3] === 0 ? null : m.slice(0, 3); }
function lum(c) { const v = c.map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
  return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; }
function bg(el) { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor); if (c) return c; } return [255, 255, 255]; }
return Array.from(document.querySelectorAll(arguments[0])).filter(el => el.offsetParent !== null || getComputedStyle(el).position === 'fixed')
  .map(el => { const a = lum(rgb(getComputedStyle(el).color)), b = lum(bg(el));
    return [el.className || el.tagName, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]; });
"""
TEXT_ELEMENTS = (
    ".smw-launcher, .smw-title, .smw-restart, .smw-notice, .smw-notice a, .smw-bubble p, .smw-quote, "
    ".smw-cite, .smw-reply, .smw-send, .smw-input, .smw-msg--user .smw-bubble, .smw-error p, .smw-retry, "
    ".smw-mailto, .smw-card dt, .smw-card dd, .smw-card-title, .smw-card-note, .smw-sources"
)


@pytest.mark.parametrize("accent", ["#5b21b6", "#ffd400", "#00a3e0", "#111111"])
def test_text_contrast_is_wcag_aa_for_any_accent(browser, fake_bot, accent):
    bot = fake_bot(
        lambda message: (
            Reply({"error": 1}, status=500)
            if message == "fail"
            else [
                {
                    "recipient_id": "t",
                    "text": f"Answer with a link https://www.sessionmusic.co.uk\n> “quote”\n"
                    f"Privacy policy, section cookies: {bot.policy_url}#clause-cookies",
                    "buttons": [{"title": "Yes", "payload": "/affirm"}],
                },
                {"recipient_id": "t", "custom": {"kind": "answer", "sections": ["cookies", "access"]}},
                {"recipient_id": "t", "custom": {"kind": "handoff", "reference": "SM-AB12-CD34"}},
            ]
        ),
        accent_color=accent,
    )
    widget = Widget(browser).load(bot.url + "/")
    ratios = widget.js(CONTRAST_JS, ".smw-launcher")
    widget.open()
    widget.ask("question")
    widget.send("fail")
    widget.wait(lambda d: widget.find_all(".smw-error"), "no error")
    widget.wait_idle()
    ratios += widget.js(CONTRAST_JS, TEXT_ELEMENTS)
    low = [(name, round(ratio, 2)) for name, ratio in ratios if ratio < 4.5]
    assert len(ratios) > 15 and low == [], low


def test_reduced_motion_turns_off_animation(browser, fake_bot):
    browser.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]}
    )
    bot = fake_bot(lambda message: Reply([{"recipient_id": "t", "text": "ok"}], delay=1.5))
    widget = Widget(browser).load(bot.url + "/").open()
    assert widget.js("return getComputedStyle(document.querySelector('.smw-panel')).animationName") == "none"
    widget.send("hi")
    dots = widget.find_all(".smw-typing span[aria-hidden]")
    assert widget.find(".smw-typing").is_displayed()
    assert {widget.js("return getComputedStyle(arguments[0]).animationName", d) for d in dots} == {"none"}
    widget.wait_idle()
    assert not widget.find(".smw-typing").is_displayed()


def test_long_unbroken_text_causes_no_horizontal_scroll_on_a_phone(mobile_browser, fake_bot):
    long_url = "https://www.sessionmusic.co.uk/" + "a" * 300
    bot = fake_bot(
        lambda message: [
            {"recipient_id": "t", "text": "x" * 400 + "\n" + long_url},
            {"recipient_id": "t", "text": "Choose", "buttons": [{"title": "W" * 120, "payload": "/affirm"}]},
            {
                "recipient_id": "t",
                "custom": {
                    "kind": "request",
                    "request_type": "erasure",
                    "reference": "R" * 40,
                    "due_date": "2026-01-31",
                },
            },
        ]
    )
    widget = Widget(mobile_browser).load(bot.url + "/").open()
    widget.ask("y" * 300)
    sizes = widget.js("""const p = document.querySelector('.smw-panel').getBoundingClientRect(),
        s = document.querySelector('.smw-scroll');
      return [document.documentElement.scrollWidth, innerWidth, p.left, p.top, p.width, p.height, innerHeight,
              s.scrollWidth, s.clientWidth];""")
    page_width, view_width, left, top, width, height, view_height, inner_scroll, inner_width = sizes
    assert page_width <= view_width == 375
    assert (left, top, round(width), round(height)) == (0, 0, 375, view_height)  # full screen
    assert inner_scroll <= inner_width


def test_keyboard_open_send_and_escape_with_fake_bot(browser, fake_bot):
    bot = fake_bot(
        lambda message: [
            {
                "recipient_id": "t",
                "text": "Answer",
                "buttons": [{"title": "Yes, include it", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}],
            }
        ]
    )
    widget = Widget(browser).load(bot.url + "/")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    for _ in range(20):
        if widget.active() == widget.launcher:
            break
        widget.active().send_keys(Keys.TAB)
    assert widget.active() == widget.launcher
    widget.active().send_keys(Keys.ENTER)
    assert widget.is_open() and widget.active() == widget.input
    widget.active().send_keys("hello", Keys.ENTER)
    widget.wait_reply(0)
    assert widget.active() == widget.input
    widget.active().send_keys(Keys.SHIFT, Keys.TAB)  # back into the conversation: the last quick reply
    assert widget.text_of(widget.active()) == "No"
    widget.active().send_keys(Keys.SHIFT, Keys.TAB)
    assert widget.text_of(widget.active()) == "Yes, include it"
    before = len(widget.bot_turns())
    widget.active().send_keys(Keys.SPACE)
    widget.wait_reply(before)
    assert bot.received[-1]["message"] == "/affirm"
    assert widget.active() == widget.input
    widget.active().send_keys(Keys.ESCAPE)
    assert not widget.is_open() and widget.active() == widget.launcher


def test_start_over_while_waiting_drops_the_late_reply(browser, fake_bot):
    bot = fake_bot(
        lambda message: Reply(
            [{"recipient_id": "t", "text": f"Late answer to {message}"}], delay=2 if message == "slow" else 0
        )
    )
    widget = Widget(browser).load(bot.url + "/").open()
    widget.send("slow")
    assert widget.busy()
    widget.find(".smw-restart").click()
    assert not widget.busy() and widget.user_messages() == []
    time.sleep(2.5)
    assert widget.bot_turns() == [] and widget.js("return sessionStorage.getItem('smw:history')") is None
    widget.ask("fresh")
    assert widget.user_messages() == ["fresh"] and "Late answer to fresh" in widget.last_bot_text()


@pytest.mark.parametrize("attribute,days", [(None, "90"), ("30", "30"), ("0", "90"), ("forever", "90"), ("-7", "90")])
def test_the_notice_says_how_long_the_chat_is_kept(browser, fake_bot, attribute, days):
    bot = fake_bot(
        lambda message: [{"recipient_id": "t", "text": "Hello."}],
        **({} if attribute is None else {"retention_days": attribute}),
    )
    widget = Widget(browser).load(bot.url + "/").open()
    notice = widget.text_of(widget.find(".smw-notice"))
    assert f"for {days} days after your last message" in notice, notice
    assert "longer while a request you make here is open" in notice
    # the review of unanswered questions (quality/review.py) is said up front
    assert "staff may read questions it could not answer, without your contact details" in notice
