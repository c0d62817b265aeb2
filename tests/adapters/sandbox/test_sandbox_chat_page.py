"""A person in headless Chromium uses the chat page to talk to a real PTB bot through the sandbox."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram.ext import Application

from tests.adapters.sandbox.echo_bot import echo_application
from tests.adapters.sandbox.sandbox_world import ALICE, STORE_GROUP

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=390,844",
)
SCREENSHOT = os.environ.get("SANDBOX_SCREENSHOT")  # set to a .png path to look at the page afterwards


def require_browser() -> None:
    """Skip locally without Chromium or selenium; in CI (CI=true) their absence is a failure."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip)")
    if not missing:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser test cannot run in CI without: {', '.join(missing)}")
    pytest.skip(f"missing {', '.join(missing)}")


@pytest.fixture
async def polling_bot(sandbox_url: str) -> AsyncIterator[Application]:
    application = echo_application(sandbox_url)
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0, timeout=1)
        yield application
        await application.updater.stop()
        await application.stop()


def ask_for_stock_in_the_group(page_url: str) -> str:
    """Pick Alice and the store group, send `/stock 6901234567892`, return the bot's answer text."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.wait import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    with tempfile.TemporaryDirectory() as profile:
        options.add_argument(f"--user-data-dir={profile}")
        driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
        try:
            wait = WebDriverWait(driver, 10)
            driver.get(page_url)
            wait.until(
                seen.presence_of_element_located((By.CSS_SELECTOR, f"#identity option[value='{ALICE}']"))
            )
            Select(driver.find_element(By.ID, "identity")).select_by_value(str(ALICE))
            wait.until(
                seen.presence_of_element_located((By.CSS_SELECTOR, f"#chat option[value='{STORE_GROUP}']"))
            )
            Select(driver.find_element(By.ID, "chat")).select_by_value(str(STORE_GROUP))
            driver.find_element(By.ID, "text").send_keys("/stock 6901234567892")
            driver.find_element(By.ID, "send").click()
            answer = wait.until(
                seen.presence_of_element_located(
                    (By.XPATH, "//li[contains(@class,'bot')][contains(., 'stock of')]")
                )
            )
            if SCREENSHOT:
                driver.save_screenshot(SCREENSHOT)
            return answer.find_element(By.CLASS_NAME, "text").text
        finally:
            driver.quit()


async def test_a_person_asks_for_stock_from_the_browser_and_sees_the_reply(polling_bot, sandbox, sandbox_url):
    require_browser()
    answer = await asyncio.to_thread(ask_for_stock_in_the_group, f"{sandbox_url}/")
    assert answer == "stock of 6901234567892: 12"
    asked = [m for m in sandbox.messages(STORE_GROUP) if m["from"]["id"] == ALICE]
    assert asked[-1]["text"] == "/stock 6901234567892"
