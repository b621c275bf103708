"""compare_hyps: one set's systems side by side, a WER table and then every utterance.

    python -m steps compare_hyps exp/base/side_by_side_test.txt \\
        --system greedy=exp/base/decode_test_greedy/score/score.json \\
        --system beam_lm=exp/base/decode_test_beam_lm/score/score.json

Reads the score.json of each system (written by `score`, so references and hypotheses are
already normalised the same way) and writes OUT_FILE:
  a table: system, WER %, CER %, word errors / reference words, utterances;
  then per utterance its id, the reference and each system's hypothesis with its word-error
  count, like

      amy-amy_003
        reference  let's go makan at the hawker centre lah
        greedy     lets go makan at the hoker centre la      [3]
        beam_lm    let's go makan at the hawker centre lah   [0]

Utterances where the systems disagree in their error counts come first (largest spread
first), then the rest in id order, so the ones where an LM helped or hurt are on top.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Sequence

import typer

from utils.errors import CurrachError, InputError
from utils.results_table import load_score
from utils.text_files import atomic_write_text

logger = logging.getLogger(__name__)


def compare_hyps(systems: Sequence[tuple[str, Path]], out_file: Path) -> Path:
    """Write the side-by-side view of `systems` ((name, score.json) pairs) to `out_file`.

    Raises InputError when a score.json is missing or unreadable, the systems were scored on
    different test sets or utterances, or two systems share a name.
    """
    if not systems:
        raise InputError("compare_hyps: give at least one --system NAME=score.json")
    names = [name for name, _ in systems]
    if len(set(names)) != len(names):
        raise InputError(f"compare_hyps: system names must differ, got {names}")
    records = [load_score(path) for _, path in systems]
    utts = [{u["utt_id"]: u for u in record["utterances"]} for record in records]
    for (name, path), table in zip(systems[1:], utts[1:]):
        if set(table) != set(utts[0]):
            raise InputError(f"{path} ({name}) was scored on other utterances than "
                             f"{systems[0][1]} ({systems[0][0]}); compare one test set only")
    width = max(len(name) for name in ["reference", *names])
    lines = [f"# {records[0]['set']}: {len(utts[0])} utterances, normaliser {records[0]['normalizer']}", ""]
    lines += _table(names, records)
    for utt_id in _order(utts):
        ref = utts[0][utt_id]["ref"]
        lines += ["", utt_id, f"  {'reference':<{width}}  {ref}"]
        lines += [f"  {name:<{width}}  {table[utt_id]['hyp']}   [{table[utt_id]['words']['errors']}]"
                  for name, table in zip(names, utts)]
    atomic_write_text(out_file, "\n".join(lines) + "\n")
    logger.info("compare_hyps: %d systems, %d utterances; wrote %s", len(systems), len(utts[0]), out_file)
    return out_file


def _table(names: list[str], records: list[dict]) -> list[str]:
    rows = ["| system | WER % | CER % | word errors / words | utterances |", "|---|---|---|---|---|"]
    for name, record in zip(names, records):
        wer, cer = record["wer"], record["cer"]
        rows.append(f"| {name} | {_pct(wer['rate'])} | {_pct(cer['rate'])} | "
                    f"{wer['errors']} / {wer['ref_len']} | {record['n_utts']} |")
    return rows


def _pct(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.2f}"


def _order(utts: list[dict[str, dict]]) -> list[str]:
    def spread(utt_id: str) -> int:
        errors = [table[utt_id]["words"]["errors"] for table in utts]
        return max(errors) - min(errors)

    ids = sorted(utts[0], key=lambda utt_id: utt_id.encode("utf-8"))
    return sorted(ids, key=lambda utt_id: -spread(utt_id))


def parse_system(value: str) -> tuple[str, Path]:
    """'greedy=exp/x/score.json' -> ('greedy', Path(...)); InputError otherwise."""
    name, sep, path = value.partition("=")
    if not sep or not name or not path:
        raise InputError(f"compare_hyps: --system expects NAME=path/to/score.json, got {value!r}")
    return name, Path(path)


def main(
    out_file: Annotated[Path, typer.Argument(help="the side-by-side text file to write")],
    system: Annotated[list[str], typer.Option(
        help="NAME=score.json, repeatable, in display order")] = [],  # noqa: B006 - Typer needs a literal
) -> None:
    """Write a WER table and a per-utterance reference / hypotheses view of several systems.

    Example: python -m steps compare_hyps exp/base/side_by_side_test.txt
    --system greedy=exp/base/decode_test_greedy/score/score.json
    --system beam_lm=exp/base/decode_test_beam_lm/score/score.json
    """
    logger.info("compare_hyps %s systems=%s", out_file, system)
    try:
        compare_hyps([parse_system(value) for value in system], out_file)
    except CurrachError as err:
        logger.error("%s", err)
        raise typer.Exit(1) from err
