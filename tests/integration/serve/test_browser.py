"""A training room, for real: `cilium-tui serve --demo=training` driven by headless Chromium.

The served terminal draws on a canvas (xterm.js), so its text is not in the DOM. textual-serve keeps
its xterm.js Terminal in a private object; a script installed before the page's own catches it as
that object's `terminal` property is set, and the test reads the screen from the terminal's buffer.
Every request the page makes is logged by Chromium (its performance log): none may leave the
machine (the page's CDN web font would).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from cilium_tui.lab.scenarios import scenario
from tests.conftest import need, need_tools
from tests.integration.serve.served import consoles, listening_ports, serving
from tests.integration.ssh.sshd import free_port

CHROMIUM, CHROMEDRIVER = "chromium", "chromedriver"
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,800",
)
CATCH_TERMINAL = """
window.terminals = [];
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, enumerable: true});
    if (value && value.buffer) window.terminals.push(value);  // xterm.js Terminal
  },
});
"""
SCREEN = """
const term = window.terminals && window.terminals[0];
if (!term) return null;
const lines = [];
for (let i = 0; i < term.rows; i++) {
  lines.push(term.buffer.active.getLine(i).translateToString(true));
}
return lines.join("\\n");
"""
NODES = [node.name for node in scenario("training").nodes]
NETWORK = ("http", "https", "ws", "wss", "ftp")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    need_tools(CHROMIUM, CHROMEDRIVER, what="the browser test")
    need(
        importlib.util.find_spec("selenium") is not None,
        "the browser test needs selenium: pip install -e '.[test]'",
    )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(shutil.which(CHROMIUM))
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'chromium'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(shutil.which(CHROMEDRIVER))))
    try:
        yield driver
    finally:
        driver.quit()


def until(what: str, found: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := found()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
    return value


def open_tab(driver: Any, url: str) -> None:
    """Open `url` in a new tab (the first in the window it starts with), and switch to it."""
    if driver.current_url.startswith("http"):
        driver.switch_to.new_window("tab")
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CATCH_TERMINAL})
    driver.get(url)


def node_table(driver: Any) -> str:
    """The current tab's screen, once the scan has painted every node."""

    def shown() -> str | None:
        screen = driver.execute_script(SCREEN) or ""
        return screen if all(f" {name}" in screen for name in NODES) else None

    return str(until("the node table", shown))


def requests(driver: Any) -> set[str]:
    urls = set()
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.add(message["params"]["request"]["url"])
        elif message["method"] == "Network.webSocketCreated":
            urls.add(message["params"]["url"])
    return urls


def test_a_training_room_in_the_browser(browser: Any, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with serving(port, "--demo=training", log=tmp_path / "serve.log") as server:
        open_tab(browser, url)
        open_tab(browser, url)  # both labs start at once: the test waits for them once
        for tab in reversed(browser.window_handles):  # each tab shows its own lab's nodes
            browser.switch_to.window(tab)
            screen = node_table(browser)
            assert "6 nodes" in screen
            for name in NODES:  # one row each, the name in the first column
                assert any(line.split("│")[0].strip() == name for line in screen.splitlines())

        first, second = until(
            "two consoles", lambda: (c := consoles(server.pid)) and len(c) == 2 and c
        )
        labs = listening_ports(first), listening_ports(second)
        assert all(labs), labs  # each runs a lab: its API server and SSH boards listen
        assert labs[0].isdisjoint(labs[1]), labs  # and not the same lab

        browser.find_element("css selector", ".xterm-helper-textarea").send_keys("2")
        checklist = until(
            "the checklist",
            lambda: "Native routing" in (s := browser.execute_script(SCREEN)) and s,
        )
        assert "ITEM" in checklist and "items ·" in checklist
        assert not any(line.startswith(" rock64-1│") for line in checklist.splitlines())

        browser.close()  # a tab's console and its lab end with it
        until("the closed tab's console to end", lambda: len(consoles(server.pid)) == 1, 15)
        [last] = consoles(server.pid)
        browser.switch_to.window(browser.window_handles[0])

        left = {u for u in requests(browser) if urlsplit(u).scheme in NETWORK}
        assert url in left and f"ws://127.0.0.1:{port}/ws" in {u.split("?")[0] for u in left}
        assert {urlsplit(u).netloc for u in left} == {f"127.0.0.1:{port}"}, sorted(left)
    # Stopping the server with a tab open ends that tab's console (and lab) too.
    until("the last console to end", lambda: not Path(f"/proc/{last}").exists(), 10)
