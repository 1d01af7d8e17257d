"""The office pages under test: a real server (waitress in a thread, real HTTP) on demo data, a signed-in
requests session per user, one headless Chromium per test module, and axe-core in that browser.

axe-core comes from npm: `.ci/run` installs it into .ci/npm/ (see AXE).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from flask import Flask
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser import SCREENSHOTS
from tests.processes import free_port

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / ".ci" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
OFFICE_SCREENSHOTS = SCREENSHOTS / "office"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Office:
    """A Woontoezicht server with the demo's data, served over real HTTP from a thread."""

    def __init__(self, root: Path, config: dict[str, Any] | None = None) -> None:
        import waitress.server

        from server import create_app
        from server.db import get_db
        from server.demo import prepare_demo
        self.root = root
        self.app: Flask = create_app({"DATA": str(root / "data"), **(config or {})})
        with self.app.app_context():
            run = prepare_demo(get_db(), self.app.config)
        self.logins: dict[str, str] = dict(run.logins)
        self.code, self.token = run.code, run.token
        self.port = free_port()
        self.server = waitress.server.create_server(self.app, host="127.0.0.1", port=self.port, threads=4)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def db(self) -> Any:
        """Return a sqlite-utils Database on the server's file (for checks and setup, outside a request)."""
        from server.db import connect, database_path
        return connect(database_path(self.app))

    def session(self, user: str | None = None) -> OfficeSession:
        """Return a requests session, signed in as this demo user when given."""
        http = OfficeSession(self.url)
        if user:
            http.login(user, self.logins[user])
        return http

    def stop(self) -> None:
        """Stop serving."""
        self.server.close()
        self.thread.join(timeout=5)


class OfficeSession(requests.Session):
    """A browser-like HTTP session: it keeps the cookie and sends each form's CSRF token."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base
        self.csrf = ""

    def page(self, path: str, **kwargs: Any) -> requests.Response:
        """GET a page (no redirect followed unless asked) and remember its CSRF token."""
        kwargs.setdefault("allow_redirects", False)
        response = self.get(self.base + path, timeout=30, **kwargs)
        found = CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def submit(self, path: str, data: dict[str, Any] | list[tuple[str, Any]] | None = None,
               token: bool = True, **kwargs: Any) -> requests.Response:
        """POST a form with the last page's CSRF token (or without one)."""
        fields = list(data.items()) if isinstance(data, dict) else list(data or [])
        if token:
            fields.append(("csrf_token", self.csrf))
        kwargs.setdefault("allow_redirects", False)
        return self.post(self.base + path, data=fields, timeout=30, **kwargs)

    def login(self, user: str, password: str) -> requests.Response:
        """Sign in through the form; raise when that does not succeed."""
        self.page("/login")
        response = self.submit("/login", {"username": user, "password": password})
        if response.status_code != 302:
            raise AssertionError(f"sign-in of {user} failed: {response.status_code}")
        self.page("/")  # the session's own token (signing in starts a new session)
        return response


def start_office_browser(width: int = 1280, height: int = 800) -> tuple[webdriver.Chrome, str]:
    """Start headless Chromium for the office pages; return (driver, profile dir)."""
    from tests.browser import start_browser
    driver, profile = start_browser(width, height)
    driver.implicitly_wait(10)  # a page after a click or a submit is there when it is there
    return driver, profile


def stop_browser(driver: webdriver.Chrome, profile: str) -> None:
    """Quit the browser and remove its profile."""
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def browser_login(driver: webdriver.Chrome, office: Office, user: str) -> None:
    """Sign in through the page as a user typing, and wait for the start page."""
    driver.delete_all_cookies()
    driver.get(office.url + "/login")
    driver.find_element(By.ID, "f-username").send_keys(user)
    driver.find_element(By.ID, "f-password").send_keys(office.logins[user])
    navigate(driver, driver.find_element(By.CSS_SELECTOR, "form button[type=submit]"))
    driver.find_element(By.CSS_SELECTOR, "button.link")  # the sign-out button: signed in


def navigate(driver: webdriver.Chrome, element: Any) -> None:
    """Click what loads another page (a link, a form's button) and wait until that page replaced this one.

    Without the wait, the next find_element may find the old page's element just before it goes (stale).
    """
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 15).until(staleness_of(old))


def axe_violations(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.1 A and AA rules) on the current page; return its serious and critical violations."""
    if not AXE.exists():
        raise RuntimeError(f"axe-core ontbreekt ({AXE}); bash .ci/run installeert het met npm.")
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))"
        ".catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def office_screenshot(driver: webdriver.Chrome, name: str) -> Path:
    """Save a PNG of the whole current page under artifacts/screenshots/office/."""
    OFFICE_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = OFFICE_SCREENSHOTS / f"{name}.png"
    height = driver.execute_script("return Math.min(document.documentElement.scrollHeight, 6000)")
    size = driver.get_window_size()
    driver.set_window_size(size["width"], max(size["height"], int(height)))
    driver.save_screenshot(str(path))
    driver.set_window_size(size["width"], size["height"])
    return path


def office_root() -> Path:
    """Return a fresh temporary folder for a module's office."""
    return Path(tempfile.mkdtemp(prefix="woontoezicht-office-"))


@contextmanager
def running_office(config: dict[str, Any] | None = None) -> Iterator[Office]:
    """Serve an office on demo data in a fresh folder until the block ends (a test module's fixture)."""
    root = office_root()
    office = Office(root, config)
    try:
        yield office
    finally:
        office.stop()
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def office_browser(width: int = 1280, height: int = 800) -> Iterator[webdriver.Chrome]:
    """Run one headless Chromium until the block ends (a test module's fixture)."""
    driver, profile = start_office_browser(width, height)
    try:
        yield driver
    finally:
        stop_browser(driver, profile)
