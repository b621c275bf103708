"""steps explore: what the report's data file holds, gathered from a hand-made recipe folder."""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from typer.testing import CliRunner

from steps.__main__ import app
from steps.explore import write_report
from tests.steps.explore_fixtures import TAG, TEST, make_recipe
from utils.errors import InputError
from utils.report_page import DATA_VARIABLE


def load_data(report_dir: Path) -> dict:
    text = (report_dir / "data.js").read_text(encoding="utf-8")
    prefix = f"window.{DATA_VARIABLE} = "
    assert text.startswith(prefix) and text.endswith(";\n")
    return json.loads(text[len(prefix):-2])


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, dict]:
    recipe = make_recipe(tmp_path_factory.mktemp("explore"))
    page = write_report(recipe, recipe / "exp" / TAG)
    return page, load_data(page.parent)


def test_page_and_data_file_are_written_beside_each_other(report) -> None:
    page, _ = report
    assert page.name == "index.html" and page.parent.name == "report"
    html = page.read_text(encoding="utf-8")
    assert '<script src="data.js">' in html
    # Offline: nothing on the page points at the network.
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", html)


def test_systems_rows_and_curves(report) -> None:
    _, data = report
    rows = {r["decoder"]: r for r in data["systems"]}
    assert set(rows) == {"greedy", "beam_lm"}
    assert rows["beam_lm"]["lm"] == "lang" and rows["beam_lm"]["alpha"] == 0.5
    assert rows["greedy"]["label"] == f"{TAG}/decode_test_greedy"
    assert rows["greedy"]["wer"] == pytest.approx(100 * 9 / 19)
    assert rows["greedy"]["wer_ci"] is not None and rows["greedy"]["n_utts"] == 5
    curves = data["curves"][TAG]
    assert [p["step"] for p in curves["train"]] == [10, 20]
    assert curves["dev"][1]["loss"] is None  # NaN in curves.json: JSON has none


def test_utterance_table_columns(report) -> None:
    page, data = report
    table = data["sets"]["test"]
    assert table["ids"] == sorted(TEST)
    assert table["speakers"] == ["spka", "spkb", "spkc"]
    assert [table["speakers"][k] for k in table["spk"]] == [TEST[u][0] for u in table["ids"]]
    assert table["nw"] == [len(TEST[u][2].split()) for u in table["ids"]]
    for utt, url in zip(table["ids"], table["wav"]):  # relative to the report, and it exists
        wav = unquote(url)
        assert not os.path.isabs(wav) and url == quote(wav)
        assert (page.parent / wav).resolve() == (page.parents[3] / "data/wavs/test" / f"{utt}.wav").resolve()
        assert (page.parent / wav).is_file()
    greedy = next(s for s in table["systems"] if s["decoder"] == "greedy")
    k = table["ids"].index("spka-u2")
    assert greedy["hyp"][k] == "an bhfil tú obair inniu"
    assert greedy["ops"][k] == "CSCDCI"  # the alignment score.json holds, one letter per position
    assert greedy["we"] == [0, 3, 1, 1, 4]


def test_lm_codes_compare_the_lm_system_with_the_same_model_without_it(report) -> None:
    _, data = report
    lm = next(s for s in data["sets"]["test"]["systems"] if s["decoder"] == "beam_lm")
    assert lm["base"] == f"{TAG}/decode_test_greedy"
    # same, better, changed with equal errors, worse, better
    assert lm["lm_codes"] == "01231"
    greedy = next(s for s in data["sets"]["test"]["systems"] if s["decoder"] == "greedy")
    assert "lm_codes" not in greedy


def test_error_tables(report) -> None:
    _, data = report
    greedy = next(s for s in data["sets"]["test"]["systems"] if s["decoder"] == "greedy")
    errors = greedy["errors"]
    assert errors["missed"][0] == {"word": "ag", "missed": 2, "count": 2}
    assert {"ref": "zebra", "hyp": "sebra", "count": 1} in errors["confusions"]
    assert [s["speaker"] for s in errors["speakers"]] == ["spka", "spkb", "spkc"]
    assert errors["speakers"][2]["wer"] == pytest.approx(100.0)


def test_data_section(report) -> None:
    _, data = report
    corpus = data["data"]
    sets = {s["name"]: s for s in corpus["sets"]}
    assert sets["test"]["utts"] == 5 and sets["test"]["speakers"] == 3
    assert sets["test"]["hours"] == pytest.approx(8.0 / 3600)
    drops = sets["train"]["drops"][0]
    assert drops["file"] == "prep_report.tsv" and drops["n"] == 3
    assert drops["reasons"] == {"dropped zero-byte file": 2, "repaired 44100 Hz stereo resampled": 1}
    hist = corpus["histogram"]
    assert sum(hist["counts"]["test"]) == 5 and sum(hist["counts"]["train"]) == 3
    assert len(hist["edges"]) == len(hist["counts"]["test"]) + 1 and hist["edges"][-1] >= 4.0
    chars = {c["char"]: c for c in corpus["chars"]}
    assert chars["ß"]["in_vocab"] is False and chars["ß"]["counts"]["train"] == 1
    assert chars[" "]["in_vocab"] is True and chars["z"]["in_vocab"] is True
    oov = corpus["oov"]["test"]
    assert [w["word"] for w in oov["train"]["top"]] == ["zebra"]
    assert {w["word"] for w in oov["lm"]["top"]} == {"inniu", "zebra"} and oov["lm"]["tokens"] == 2


def test_cli_writes_every_scored_tag_each_with_its_own_systems(tmp_path) -> None:
    recipe = make_recipe(tmp_path)
    other = recipe / "exp/m2"
    for decode in (recipe / "exp" / TAG).glob("decode_*"):  # a second model, scored, without curves
        shutil.copytree(decode, other / decode.name)
    result = CliRunner().invoke(app, ["explore", str(recipe)])
    assert result.exit_code == 0, result.output
    for tag, curves in ((TAG, [TAG]), ("m2", [])):
        data = load_data(recipe / "exp" / tag / "report")
        assert {row["tag"] for row in data["systems"]} == {tag} and len(data["systems"]) == 2
        assert list(data["curves"]) == curves
        assert all(s["label"].startswith(f"{tag}/") for s in data["sets"]["test"]["systems"])


def test_cli_names_what_is_missing(tmp_path) -> None:
    recipe = make_recipe(tmp_path)
    empty = tmp_path / "empty"
    (empty / "exp").mkdir(parents=True)
    result = CliRunner().invoke(app, ["explore", str(empty)])
    assert result.exit_code == 1
    with pytest.raises(InputError, match="score stage"):
        write_report(recipe, recipe / "exp" / "nope")
