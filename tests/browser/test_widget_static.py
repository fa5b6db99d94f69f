"""Static checks of the widget files and the demo site (no browser needed).

These are not marked `browser`, so they also run in the plain unit suite.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WIDGET = ROOT / "web_widget"
POLICY_FILE = ROOT / "bot" / "data" / "policy" / "privacy-policy.yml"
BUDGET = 15 * 1024


def test_widget_is_under_15_kb_gzipped():
    sizes = {name: len(gzip.compress((WIDGET / name).read_bytes(), 9)) for name in ("widget.js", "widget.css")}
    assert sum(sizes.values()) < BUDGET, sizes


@pytest.mark.parametrize("name", ["widget.js", "widget.css"])
def test_widget_references_no_third_party_url(name):
    source = (WIDGET / name).read_text()
    # The only absolute URL allowed is the SVG namespace (an identifier, never fetched).
    urls = [
        u
        for u in re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s'\")]*", source, re.I)
        if u != "http://www.w3.org/2000/svg"
    ]
    assert urls == []
    assert "@import" not in source
    assert not re.search(r"url\(", source)


def test_widget_never_parses_html_or_touches_cookies():
    source = (WIDGET / "widget.js").read_text()
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", source, flags=re.S)  # comments may name them
    for forbidden in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        "DOMParser",
        "createContextualFragment",
        "document.cookie",
        "localStorage",
    ):
        assert forbidden not in code, forbidden
    assert "sessionStorage" in code
    assert "AbortController" in code


def test_readme_documents_every_data_attribute():
    source = (WIDGET / "widget.js").read_text()
    used = {re.sub(r"([A-Z])", lambda m: "-" + m.group(1).lower(), name) for name in re.findall(r"\bds\.(\w+)", source)}
    readme = (WIDGET / "README.md").read_text()
    missing = [name for name in sorted(used) if f"data-{name}" not in readme]
    assert used and not missing, missing


# --- demo site ------------------------------------------------------------------------


@pytest.fixture
def client(monkeypatch):
    from web_widget.demo_site import create_app

    monkeypatch.delenv("POLICY_FILE", raising=False)
    app = create_app(bot_url="http://127.0.0.1:5999", policy_url="http://127.0.0.1:8123/privacy-policy")
    return app.test_client()


def test_policy_page_has_an_anchor_and_heading_per_clause(client):
    page = client.get("/privacy-policy").get_data(as_text=True)
    clauses = yaml.safe_load(POLICY_FILE.read_text())["clauses"]
    assert clauses
    for clause in clauses:
        assert f'id="clause-{clause["id"]}"' in page, clause["id"]
        assert f"Section {clause['id']}" in page
    assert page.count('class="clause"') == len(clauses)


def test_policy_page_is_autoescaped(tmp_path):
    from web_widget.demo_site import create_app

    policy = tmp_path / "policy.yml"
    policy.write_text(
        yaml.safe_dump(
            {
                "updated": "2024",
                "clauses": [
                    {"id": "x", "heading": "<script>alert(1)</script>", "text": "<img src=x onerror=alert(1)>"}
                ],
            }
        )
    )
    page = create_app(policy_file=policy).test_client().get("/privacy-policy").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_demo_page_embeds_the_widget_with_configured_urls(client):
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert 'src="/widget/widget.js"' in page
    assert 'data-bot-url="http://127.0.0.1:5999"' in page
    assert 'data-policy-url="http://127.0.0.1:8123/privacy-policy"' in page
    csp = response.headers["Content-Security-Policy"]
    assert "connect-src 'self' http://127.0.0.1:5999" in csp and "script-src 'self'" in csp
    assert "Set-Cookie" not in response.headers


def test_demo_site_takes_urls_from_the_environment(monkeypatch):
    from web_widget.demo_site import create_app

    monkeypatch.setenv("BOT_URL", "http://127.0.0.1:6001/")
    monkeypatch.setenv("POLICY_URL", "http://127.0.0.1:6002/privacy-policy")
    page = create_app().test_client().get("/").get_data(as_text=True)
    assert 'data-bot-url="http://127.0.0.1:6001"' in page
    assert 'data-policy-url="http://127.0.0.1:6002/privacy-policy"' in page


@pytest.mark.parametrize("setting,shown", [(None, "90"), ("30", "30")])
def test_the_demo_widget_states_the_configured_conversation_retention(monkeypatch, setting, shown):
    from web_widget.demo_site import create_app

    if setting is None:
        monkeypatch.delenv("CONVERSATION_RETENTION_DAYS", raising=False)
    else:
        monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", setting)
    page = create_app().test_client().get("/").get_data(as_text=True)
    assert f'data-retention-days="{shown}"' in page


def test_a_bad_retention_setting_stops_the_demo_site_naming_it(monkeypatch):
    from web_widget.demo_site import create_app

    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "forever")
    with pytest.raises(ValueError, match="CONVERSATION_RETENTION_DAYS"):
        create_app()


def test_only_the_widget_files_are_served(client):
    assert client.get("/widget/widget.js").status_code == 200
    assert client.get("/widget/widget.css").status_code == 200
    for path in ("/widget/demo_site.py", "/widget/../demo_site.py", "/widget/__init__.py", "/widget/README.md"):
        assert client.get(path).status_code == 404, path
