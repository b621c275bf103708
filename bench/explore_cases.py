"""The explorer report on a large test set: write it, then load it in headless Chromium.

    python -m bench.explore_cases make RECIPE N     # synthetic recipe folder: N scored utterances, 3 decoders
    python -m bench.explore_cases load RECIPE RUNS  # write the report, open it RUNS times, time it

`make` writes Kaldi files for N synthetic test utterances (200 speakers) and scores three
corrupted copies of the references with `steps.score` (greedy, beam, beam_lm), as stage 7 would.
`load` times `write_report`, then in a fresh headless Chromium per run (file://, network off)
the page's load-and-first-render time (`window.explorerReady`: ms from navigation start to the
end of the first render of every tab, data.js parsed) and, on the loaded page, one text filter and
one WER sort over all N utterances. Each case prints one JSON line.
"""
from __future__ import annotations

import json
import random
import statistics
import sys
import time
from pathlib import Path

WORDS = ("tá sé go maith an bhfuil tú ag obair inniu éirí mór cad is ainm duit bhí mé sa bhaile "
         "agus ar an siopa leabhar cluiche aréir maidin tráthnóna").split()
DECODERS = {"greedy": 0.35, "beam": 0.30, "beam_lm": 0.25}  # share of words corrupted


def make(recipe: Path, n_utts: int) -> dict:
    """The recipe folder (data/test, data/train, data/lang, exp/bench/decode_test_*)."""
    from steps.score import score

    rng = random.Random(0)
    refs = {f"spk{k % 200:03d}-utt{k:06d}": " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 16)))
            for k in range(n_utts)}
    for name, table in (("test", refs), ("train", dict(list(refs.items())[:500]))):
        data = recipe / "data" / name
        data.mkdir(parents=True, exist_ok=True)
        ids = sorted(table)
        files = {"text": table, "wav.scp": {u: f"data/wavs/{name}/{u}.wav" for u in ids},
                 "utt2spk": {u: u.split("-")[0] for u in ids},
                 "utt2dur": {u: f"{0.4 * len(table[u].split()) + 0.3:.2f}" for u in ids}}
        for file, values in files.items():
            (data / file).write_text("".join(f"{u} {values[u]}\n" for u in ids), encoding="utf-8")
    lang = recipe / "data/lang"
    lang.mkdir(parents=True, exist_ok=True)
    chars = sorted({c for text in refs.values() for c in text} - {" "}) + ["|", "[UNK]", "[PAD]"]
    (lang / "vocab.json").write_text(json.dumps({c: k for k, c in enumerate(chars)}), encoding="utf-8")
    start = time.perf_counter()
    for decoder, share in DECODERS.items():
        decode = recipe / "exp/bench" / f"decode_test_{decoder}"
        decode.mkdir(parents=True, exist_ok=True)
        hyps = {u: _corrupt(text, share, rng) for u, text in refs.items()}
        (decode / "hyp").write_text("".join(f"{u} {hyps[u]}\n" for u in sorted(hyps)), encoding="utf-8")
        (decode / "decode.json").write_text(json.dumps({"decoder": decoder, "set": "test", **(
            {"lm_dir": str(lang), "alpha": 0.5, "beta": 1.0} if decoder == "beam_lm" else {})}), encoding="utf-8")
        data = recipe / "data/test"
        score(data / "text", decode / "hyp", decode / "score", None, data / "utt2spk", data / "utt2dur", n_boot=200)
    return {"utts": n_utts, "systems": len(DECODERS), "score_seconds": time.perf_counter() - start}


def _corrupt(text: str, share: float, rng: random.Random) -> str:
    out = []
    for word in text.split():
        roll = rng.random()
        if roll < share / 2:
            out.append(rng.choice(WORDS))
        elif roll < 3 * share / 4:
            continue
        elif roll < share:
            out += [word, rng.choice(WORDS)]
        else:
            out.append(word)
    return " ".join(out)


def load(recipe: Path, runs: int) -> dict:
    """Write the report, then time its load in `runs` fresh browsers and a filter and a sort in the last."""
    from steps.explore import write_report
    from tests.browser import browser_missing, headless_chromium

    start = time.perf_counter()
    page = write_report(recipe, recipe / "exp/bench")
    write_seconds = time.perf_counter() - start
    missing = browser_missing()
    if missing:
        raise SystemExit(f"no headless browser: {missing}")
    loads = []
    for _ in range(runs):
        with headless_chromium() as driver:
            driver.set_script_timeout(120)
            driver.get(page.as_uri())
            ready = None
            while ready is None:
                ready = driver.execute_script("return window.explorerReady || null")
                time.sleep(0.05)
            loads.append(ready)
            timings = driver.execute_script("""
                const t0 = performance.now(); state.search = "maith"; refresh(); const t1 = performance.now();
                const found = state.rows.length;
                state.search = ""; state.sortKey = "wer"; state.sortDir = -1; refresh();
                return [t1 - t0, performance.now() - t1, found, state.rows.length];""")
    return {"utts": len(json.loads(_data_json(page.parent))["sets"]["test"]["ids"]), "runs": runs,
            "write_seconds": write_seconds, "data_mb": (page.parent / "data.js").stat().st_size / 2**20,
            "load_ms": loads, "load_ms_median": statistics.median(loads), "filter_ms": timings[0],
            "sort_ms": timings[1], "filter_matches": timings[2], "sorted_rows": timings[3]}


def _data_json(report_dir: Path) -> str:
    text = (report_dir / "data.js").read_text(encoding="utf-8")
    return text[text.index("=") + 1:].rstrip().rstrip(";")


def main(argv: list[str]) -> None:
    case, recipe, number = argv
    result = make(Path(recipe), int(number)) if case == "make" else load(Path(recipe), int(number))
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
