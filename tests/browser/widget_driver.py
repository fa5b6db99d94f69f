"""Page object for the chat widget, and the data-driven conversation helper."""

from __future__ import annotations

import re
from typing import Callable, Dict, List, Optional

from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

BOT_TURNS = ".smw-log > .smw-msg--bot:not(.smw-greeting)"


class Widget:
    def __init__(self, driver, timeout: float = 40):
        self.driver = driver
        self.timeout = timeout

    # --- elements ------------------------------------------------------------------
    def find(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> List[WebElement]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    @property
    def launcher(self) -> WebElement:
        return self.find(".smw-launcher")

    @property
    def panel(self) -> WebElement:
        return self.find("#smw-panel")

    @property
    def input(self) -> WebElement:
        return self.find("#smw-input")

    def wait(self, condition: Callable, message: str = "", timeout: Optional[float] = None):
        return WebDriverWait(
            self.driver, timeout or self.timeout, ignored_exceptions=(StaleElementReferenceException,)
        ).until(condition, message)

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    # --- actions -------------------------------------------------------------------
    def load(self, url: str) -> "Widget":
        self.driver.get(url)
        self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, ".smw-launcher"), "widget did not load", timeout=15)
        # the stylesheet is loaded by the script: wait until it applies
        self.wait(
            lambda d: self.js("return getComputedStyle(document.querySelector('.smw')).position") == "fixed",
            "widget.css did not apply",
            timeout=15,
        )
        return self

    def open(self) -> "Widget":
        self.launcher.click()
        self.wait(lambda d: self.is_open(), "panel did not open", timeout=5)
        return self

    def is_open(self) -> bool:
        # not is_displayed(): that reads the opening fade-in (opacity 0 at its start) as hidden
        return self.js(
            "const p = document.getElementById('smw-panel');return !p.hidden && getComputedStyle(p).display !== 'none'"
        )

    def busy(self) -> bool:
        return self.js("return document.querySelector('.smw-log').getAttribute('aria-busy') === 'true'")

    def wait_idle(self) -> None:
        self.wait(lambda d: not self.busy(), "the bot did not answer in time")

    def send(self, text: str) -> None:
        box = self.input
        box.send_keys(text)
        box.send_keys(Keys.ENTER)

    def bot_turns(self) -> List[WebElement]:
        return self.find_all(BOT_TURNS)

    def ask(self, text: str) -> WebElement:
        """Type a message, send it with Enter, wait for the reply turn (or the error)."""
        before = len(self.bot_turns())
        self.send(text)
        return self.wait_reply(before)

    def click_reply(self, button: WebElement) -> WebElement:
        before = len(self.bot_turns())
        button.click()
        return self.wait_reply(before)

    def wait_reply(self, before: int) -> WebElement:
        self.wait(
            lambda d: len(self.bot_turns()) > before or self.find_all(".smw-error"), "no reply and no error shown"
        )
        self.wait_idle()
        errors = self.find_all(".smw-error")
        if errors:
            raise AssertionError(f"the widget shows an error: {errors[0].get_attribute('textContent')}")
        return self.bot_turns()[-1]

    # --- reading -------------------------------------------------------------------
    def text_of(self, element: WebElement) -> str:
        return self.js("return arguments[0].textContent", element)

    def last_bot_text(self) -> str:
        turns = self.bot_turns()
        if not turns:
            return ""
        bubbles = turns[-1].find_elements(By.CSS_SELECTOR, ".smw-bubble")
        text = "\n".join(self.js("return arguments[0].innerText", b) for b in bubbles)
        return text.replace("(opens in a new tab)", "")

    def reply_buttons(self) -> List[WebElement]:
        return self.find_all(".smw-log .smw-replies .smw-reply")

    def user_messages(self) -> List[str]:
        return [self.text_of(b) for b in self.find_all(".smw-msg--user .smw-bubble")]

    def conversation_id(self) -> str:
        return self.js("return sessionStorage.getItem('smw:conversation')")

    def active(self) -> WebElement:
        return self.driver.switch_to.active_element

    def assert_nothing_ran(self) -> None:
        """No injected script ran: no marker on window, no alert, no live <img>/<script> in the widget."""
        assert self.js("return window.__xss === undefined"), f"injected script ran: {self.js('return window.__xss')}"
        try:
            alert = self.driver.switch_to.alert
            text = alert.text
            alert.dismiss()
            raise AssertionError(f"an alert opened: {text}")
        except NoAlertPresentException:
            pass
        assert not self.find_all(".smw img, .smw script, .smw iframe"), "markup from a message became elements"


def question_kind(text: str) -> Optional[str]:
    """What the bot's last question asks for: name, email, question (for the team) or None.

    Judged on the last sentence with a question mark, so "What would you like to ask the
    team? They'll reply by email." reads as the question for the team, not an email prompt.
    """
    asked = [s for s in re.split(r"(?<=[?.!])\s+", text) if s.strip().endswith("?")]
    sentence = (asked[-1] if asked else text).lower()
    if re.search(r"\bname\b", sentence):
        return "name"
    if re.search(r"e-?mail", sentence):
        return "email"
    if re.search(r"\b(ask|question)\b", sentence) and "anything else" not in sentence:
        return "question"
    return None


def yes_button(buttons: List[WebElement]) -> Optional[WebElement]:
    for button in buttons:
        if button.get_attribute("data-payload") == "/affirm" or re.match(r"\s*yes\b", button.text, re.I):
            return button
    return None


def converse(
    widget: Widget, opening: str, answers: Dict[str, str], done: Callable[[], Optional[WebElement]], max_turns: int = 10
) -> WebElement:
    """Drive a flow by answering whatever the bot asks (name, email, question, yes/no)
    until `done()` returns an element; small wording changes in the bot don't matter."""
    widget.ask(opening)
    seen = []
    for _ in range(max_turns):
        result = done()
        if result is not None:
            return result
        text = widget.last_bot_text()
        seen.append(text)
        button = yes_button(widget.reply_buttons())
        if button is not None:
            widget.click_reply(button)
            continue
        kind = question_kind(text)
        if kind is None or kind not in answers:
            raise AssertionError(f"don't know how to answer: {text!r}\nconversation so far: {seen}")
        widget.ask(answers[kind])
    raise AssertionError(f"flow did not finish in {max_turns} turns: {seen}")
