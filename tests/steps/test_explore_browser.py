"""The explorer report in a real headless Chromium, opened from the file system with the network off:
sort, filter, open an utterance (coloured alignment, playable wav), switch decoder, screenshot."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np
import pytest
from PIL import Image

from steps.explore import write_report
from tests.browser import browser_missing, headless_chromium
from tests.steps.explore_fixtures import TAG, make_recipe

pytestmark = pytest.mark.skipif(browser_missing() is not None, reason=str(browser_missing()))

TIMEOUT = 20


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    recipe = make_recipe(tmp_path_factory.mktemp("explore_browser"))
    return write_report(recipe, recipe / "exp" / TAG)


def rows(driver) -> list[list[str]]:
    return [[td.text for td in tr.find_elements("css selector", "td")]
            for tr in driver.find_elements("css selector", "#utt-table tbody tr")]


def test_report_in_headless_chromium(page: Path, tmp_path: Path) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    with headless_chromium() as driver:
        wait = WebDriverWait(driver, TIMEOUT)
        driver.get(page.as_uri())
        wait.until(lambda d: d.execute_script("return window.explorerReady"))
        assert driver.execute_script("return navigator.onLine") is False  # the network really is off
        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not severe, severe
        assert len(driver.find_elements("css selector", "#systems table.systems tbody tr")) == 2
        assert driver.find_elements("css selector", "#systems svg.chart polyline")  # training curves drawn
        driver.find_element("css selector", "#tabs button[data-tab=utterances]").click()
        check_sort_and_speaker_filter(driver)
        check_utterance_detail(driver, wait)
        check_decoder_switch(driver)
        shot = tmp_path / "report.png"
        assert driver.save_screenshot(str(shot))
    pixels = np.asarray(Image.open(shot).convert("RGB")).reshape(-1, 3)
    assert pixels.shape[0] > 100_000
    assert len(np.unique(pixels, axis=0)) > 50 and pixels.std() > 20  # drawn, not one flat colour


def choose(driver, select_id: str, text: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", select_id)).select_by_visible_text(text)


def check_sort_and_speaker_filter(driver) -> None:
    choose(driver, "system", f"{TAG}/decode_test_greedy")
    header = driver.find_element("css selector", "#utt-table th[data-key=wer]")
    header.click()  # first click: worst first
    wers = [float(r[3]) for r in rows(driver)]
    assert wers == sorted(wers, reverse=True) and wers[0] == 100.0 and rows(driver)[0][0] == "spkc-u5"
    header.click()
    assert [float(r[3]) for r in rows(driver)] == sorted(wers)
    choose(driver, "speaker", "spka")
    shown = rows(driver)
    assert {r[1] for r in shown} == {"spka"} and len(shown) == 2
    assert driver.find_element("id", "count").text.startswith("2 of 5")


def check_utterance_detail(driver, wait) -> None:
    driver.find_element("css selector", "#utt-table tbody tr[data-utt='spka-u2']").click()
    detail = driver.find_element("id", "detail")
    first = detail.find_element("css selector", ".align")  # the chosen system's alignment
    ops = [c.get_attribute("class").split("op-")[1] for c in first.find_elements("css selector", ".cell")]
    assert ops == list("CSCDCI")
    colours = {op: first.find_element("css selector", f".cell.op-{op}").value_of_css_property("background-color")
               for op in "CSDI"}
    assert len({colours[o] for o in "SDI"}) == 3 and colours["C"] not in {colours[o] for o in "SDI"}
    sub = first.find_element("css selector", ".cell.op-S")
    assert [s.text for s in sub.find_elements("css selector", "span")] == ["bhfuil", "bhfil"]
    assert f"{TAG}/decode_test_beam_lm" in detail.text  # the other decoder beside it
    audio = detail.find_element("css selector", "audio")
    wav = Path(unquote(urlparse(audio.get_property("src")).path))
    assert wav.is_file() and wav.name == "spka-u2.wav"
    wait.until(lambda d: d.execute_script("return arguments[0].readyState", audio) >= 1)
    assert driver.execute_script("return arguments[0].duration", audio) == pytest.approx(2.0, abs=0.05)


def check_decoder_switch(driver) -> None:
    choose(driver, "system", f"{TAG}/decode_test_beam_lm")
    choose(driver, "speaker", "all (3)")
    by_utt = {r[0]: r for r in rows(driver)}
    assert by_utt["spka-u2"][3] == "0.0" and by_utt["spkb-u4"][5] == "worse"
    driver.find_element("id", "lm-worse").click()
    assert [r[0] for r in rows(driver)] == ["spkb-u4"]
