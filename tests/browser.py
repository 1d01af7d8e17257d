"""A real headless Chromium (Debian's chromium + chromium-driver) driven by selenium."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def start_browser(width: int = 1280, height: int = 800) -> tuple[webdriver.Chrome, str]:
    """Start headless Chromium at tablet size with a fresh profile; return (driver, profile dir)."""
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        raise RuntimeError("Chromium ontbreekt: installeer Debian's chromium en chromium-driver "
                           "(bash .ci/run doet dat).")
    profile = tempfile.mkdtemp(prefix="woontoezicht-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_window_size(width, height)
    return driver, profile


def screenshot(driver: webdriver.Chrome, name: str) -> Path:
    """Save a PNG of the current page under artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path
