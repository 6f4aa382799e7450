"""The page of `exo-rdf serve` in a real browser (headless Chromium): a stored query runs from it."""
from __future__ import annotations

import shutil
import signal

import pytest

from exo_rdf.query import run_stored
from test_serve import start_serve, stop_and_check

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="Chromium and its driver are not installed (Debian: apt-get install chromium chromium-driver)",
)


@pytest.fixture
def browser(tmp_path):
    """Headless Chromium driven through the system's chromedriver (never a downloaded one)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path / 'chromium'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def test_a_stored_query_runs_from_the_page(browser, store):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    served = start_serve()
    try:
        browser.get(served.page)
        section = browser.find_element(By.ID, "q-clinical-trials")
        assert section.find_element(By.TAG_NAME, "h2").text.startswith("Clinical trials on exosomal proteins")
        section.find_element(By.CSS_SELECTOR, "button.run").click()
        status = section.find_element(By.CLASS_NAME, "status")
        WebDriverWait(browser, 60).until(lambda _: status.text not in ("", "running…"))
        expected = run_stored("clinical-trials", store=store)
        assert status.text == f"{len(expected.rows)} rows"
        table = section.find_element(By.TAG_NAME, "table")
        header = [th.text for th in table.find_elements(By.TAG_NAME, "th")]
        rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")] for tr in table.find_elements(By.TAG_NAME, "tr")[1:]]
        assert header == expected.variables
        assert rows == [["" if t is None else t.value for t in row] for row in expected.rows]
        assert ["NCT03985696", "Recruiting"] in [row[:2] for row in rows]
        # the link opens the same SPARQL in a tab of Oxigraph's own query page (YASGUI)
        sparql = section.find_element(By.TAG_NAME, "textarea").get_attribute("value")
        section.find_element(By.CSS_SELECTOR, "a.tab").click()
        editor = "const e = document.querySelector('.CodeMirror'); return e ? e.CodeMirror.getValue() : null"
        WebDriverWait(browser, 60).until(lambda d: d.execute_script(editor) is not None)
        assert browser.execute_script(editor) == sparql
        assert browser.current_url.startswith(served.base + "/#")
        titles = [t.text for t in browser.find_elements(By.CSS_SELECTOR, "#yasgui .tab")]
        assert any(t.startswith("Clinical trials on exosomal proteins") for t in titles), titles
    finally:
        stop_and_check(served, signal.SIGINT)
