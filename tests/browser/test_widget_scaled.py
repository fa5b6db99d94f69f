"""The widget on the scaled stack's demo shop (issue 10: "the widget works against it"), in headless
Chromium: its messages go through nginx to the Rasa servers, and the answers render as on `make run`."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from .conftest import POLICY, fold
from .widget_driver import Widget

pytestmark = pytest.mark.browser


def test_the_widget_on_the_scaled_stack_answers_through_nginx(browser, scaled_stack):
    nginx = scaled_stack.nginx
    before = len(nginx.upstreams_used())
    widget = Widget(browser).load(scaled_stack.demo_url + "/").open()

    turn = widget.ask("do you use cookies?")
    quote = turn.find_element(By.CSS_SELECTOR, "blockquote.smw-quote")
    assert fold(widget.text_of(quote).strip().strip("“”")) in fold(POLICY["cookies"]["text"])
    link = turn.find_element(By.CSS_SELECTOR, 'a.smw-cite[data-section="cookies"]')
    assert link.get_attribute("href") == f"{scaled_stack.policy_url}#clause-cookies"

    turn = widget.ask("do you share my data with other companies?")
    assert turn.find_elements(By.CSS_SELECTOR, "a.smw-cite"), widget.text_of(turn)
    widget.assert_nothing_ran()

    # the page talks to the shop and to nginx only, and nginx handed the turns to the Rasa servers
    origins = set(widget.js("return performance.getEntriesByType('resource').map(e => new URL(e.name).origin)"))
    assert origins <= {scaled_stack.demo_url, scaled_stack.rasa_url}, origins
    used = {
        int(address.rsplit(":", 1)[1])
        for entry in nginx.upstreams_used()[before:]
        for address in entry.split(", ")
        if ":" in address
    }
    assert used & set(scaled_stack.rasa_ports), f"no Rasa server answered through nginx: {used}"
