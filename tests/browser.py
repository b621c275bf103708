"""Headless Chromium for the report's browser test and benchmark: Debian's chromium and chromedriver
driven by selenium (from PyPI; it uses the given driver and downloads no browser).

`browser_missing()` says why a browser cannot be started here (then tests skip with that reason);
`headless_chromium()` starts one with a fresh profile and the network switched off.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

CHROMIUM = os.environ.get("CURRACH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = os.environ.get("CURRACH_CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
# Flags that run as root in a container: no sandbox, no GPU, nothing phoning home.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--host-resolver-rules=MAP * ~NOTFOUND")


def browser_missing() -> str | None:
    """None when selenium, chromium and chromedriver are all here; otherwise what is missing."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (requirements.txt; tools/setup.sh installs it)"
    for name, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)):
        if not Path(path).is_file():
            return f"{name} not found at {path} (Debian: apt-get install chromium chromium-driver; .ci/run does)"
    return None


@contextmanager
def headless_chromium(width: int = 1400, height: int = 1000) -> Iterator:
    """A selenium Chrome driver on a new, empty profile, offline; quits and removes the profile after."""
    os.environ.setdefault("SE_OFFLINE", "true")  # selenium-manager must not look anything up
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="currach-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + (f"--window-size={width},{height}", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
