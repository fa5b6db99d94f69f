"""Browser tests: headless Debian Chromium driven by Selenium against the real stack.

Set-up (once, as root): apt-get update && apt-get install -y chromium chromium-driver
Run: .venv/bin/python -m pytest tests/browser -m browser

Selenium Manager is never used: the driver path is always given to Service() and the
browser path to binary_location, so Selenium downloads nothing.

Tests that need the real stack use the session-scoped `stack` fixture (all services started
by the project launcher on free ports). Without a trained model or the intake package
they are skipped with the reason; set BROWSER_TESTS_REQUIRE_STACK=1 (CI) to make that a
failure instead, and BROWSER_TESTS_MODEL=path/to/model.tar.gz to test another model
than bot/models/privacy-bot.tar.gz. Screenshots go to artifacts/screenshots/ (also on every failure).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
#: the policy's clauses by id: what a rendered quote must be taken from, verbatim
POLICY = {c["id"]: c for c in yaml.safe_load((ROOT / "bot/data/policy/privacy-policy.yml").read_text())["clauses"]}


def fold(text: str) -> str:
    """Whitespace folded, to compare rendered text with the policy's."""
    return " ".join(text.split())


ARTIFACTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_BINARY", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--lang=en-GB",
]
DESKTOP = (1280, 800)
MOBILE = (375, 740)


def pytest_collection_modifyitems(config, items):
    """Tests that take the bot down (`bot_down` fixture) run last: the stack is shared."""
    items.sort(key=lambda item: "bot_down" in getattr(item, "fixturenames", ()))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def require_browser() -> None:
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not Path(path).is_file()]
    if missing:
        # `make test` (BROWSER_TESTS_REQUIRE_STACK=1) never skips these quietly: it fails.
        required = os.environ.get("BROWSER_TESTS_REQUIRE_STACK") == "1"
        (pytest.fail if required else pytest.skip)(
            f"no {', '.join(missing)}: apt-get install -y chromium chromium-driver (or make test BROWSER=0)"
        )


def new_driver(profile_dir: Path, size=DESKTOP, mobile: bool = False):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir}")
    options.add_argument(f"--window-size={size[0]},{size[1]}")
    service = Service(executable_path=CHROMEDRIVER, log_output=str(profile_dir.parent / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    set_viewport(driver, size, mobile)
    return driver


def set_viewport(driver, size, mobile: bool = False) -> None:
    """Exact CSS viewport (the window size alone does not give one in headless mode)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": size[0], "height": size[1], "deviceScaleFactor": 2 if mobile else 1, "mobile": mobile},
    )
    if mobile:
        driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 1})


def save_screenshot(driver, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    driver.save_screenshot(str(path))
    return path


def _driver_fixture(request, tmp_path, size, mobile):
    require_browser()
    driver = new_driver(tmp_path / "chrome-profile", size, mobile)
    yield driver
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        try:
            failures = ARTIFACTS / "failures"
            failures.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(failures / f"{request.node.name}.png"))
            (failures / f"{request.node.name}.html").write_text(driver.page_source)
        except Exception:  # the browser may be the thing that failed
            pass
    driver.quit()


@pytest.fixture
def browser(request, tmp_path):
    """Headless Chromium with a fresh profile and a 1280x800 viewport."""
    yield from _driver_fixture(request, tmp_path, DESKTOP, mobile=False)


@pytest.fixture
def mobile_browser(request, tmp_path):
    """Headless Chromium emulating a 375x740 phone."""
    yield from _driver_fixture(request, tmp_path, MOBILE, mobile=True)


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The real product on free loopback ports, started by the project launcher."""
    required = os.environ.get("BROWSER_TESTS_REQUIRE_STACK") == "1"
    problem = None
    try:
        from launcher import Ports, Stack
        from launcher.stack import MODEL_PATH
    except ImportError as error:  # pragma: no cover - depends on the checkout
        problem = f"launcher not importable: {error}"
    else:
        model = Path(os.environ.get("BROWSER_TESTS_MODEL") or MODEL_PATH)
        if not model.is_file():
            problem = f"no trained model at {model} (train the bot first)"
        elif not (ROOT / "intake" / "__init__.py").is_file():
            problem = "the intake package is not there yet"
    if problem:
        if required:
            pytest.fail(problem)
        pytest.skip(problem)
    if not shutil.which("rasa", path=str(Path(sys.executable).parent)):
        (pytest.fail if required else pytest.skip)("rasa is not installed in this environment")
    running = Stack(ports=Ports.free(), var_dir=tmp_path_factory.mktemp("stack"), model_path=model).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def bot_down(stack):
    """The real stack with the Rasa server stopped (these tests are ordered last)."""
    stack.stop_service("rasa")
    return stack


@pytest.fixture
def fake_bot():
    """Factory for the renderer-test double (see fakebot.py): fake_bot(script, **attrs)."""
    from .fakebot import FakeBot

    started = []

    def make(script, **widget_attrs):
        bot = FakeBot(script, {f"data-{k.replace('_', '-')}": v for k, v in widget_attrs.items()}).start()
        started.append(bot)
        return bot

    yield make
    for bot in started:
        bot.stop()
