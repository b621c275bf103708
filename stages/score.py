"""Stage 7: WER/CER beside each decode, the n-best oracle and side-by-side hypotheses (optional), the model
card, and the explorer report of the config's tag (exp/<tag>/report: its own systems and curves).

The report is a declared output, so deleting it or editing its assets (utils/report_assets/, the
CODE_DATA of utils/report_page.py) re-runs this stage. RESULTS.md and results.png cover every tag
under exp/, so they are written after the stage (`Stage.after`), outside its declared paths.
"""
from __future__ import annotations

import json
from pathlib import Path

from pipeline.stages import Stage, StageContext

REPO = Path(__file__).absolute().parents[1]


def score(ctx: StageContext, oracle: bool = False) -> None:
    from steps.compare_hyps import compare_hyps
    from steps.explore import write_report
    from steps.score import score_decode_dirs
    from steps.select_oracle import select_oracle
    from utils.model_card import write_model_card
    from utils.provenance import collect_provenance

    normalizer, evals = ctx.setting("text.normalizer"), ctx.values("eval")
    corpus_name = json.loads(ctx.input("corpus_info").read_text(encoding="utf-8"))["name"]
    provenance = collect_provenance(REPO, ctx.config_path, corpus_name)
    dirs = {(name, d): ctx.input("decode", eval=name, decoder=d) for name in evals for d in ctx.values("decoder")}
    if oracle:
        for name in evals:
            dirs[name, "oracle"] = ctx.work("oracle", eval=name)
            select_oracle(ctx.input("text", set=name), ctx.input("nbest", eval=name), dirs[name, "oracle"], normalizer)
    score_decode_dirs([(ctx.input("data", set=name), folder) for (name, _), folder in dirs.items()],
                      normalizer, provenance, nj=ctx.jobs())
    if oracle:
        for name in evals:
            compare_hyps([(d, folder / "score/score.json") for (n, d), folder in dirs.items() if n == name],
                         ctx.output("side_by_side", eval=name))
    score_files = sorted(folder / "score/score.json" for folder in dirs.values())
    write_model_card(ctx.input("model"), score_files, ctx.setting("corpus.lang"), corpus_name, normalizer,
                     out_file=ctx.output("card"))
    report = ctx.final("report")
    write_report(ctx.recipe_dir, report.parent, ctx.output("report"), score_files, list(ctx.values("set")),
                 ctx.optional("curves"))


def results(recipe_dir: Path) -> None:
    """RESULTS.md and results.png from every score.json under exp/ (every tag's)."""
    from steps.make_results import make_results

    make_results(recipe_dir)


def stage(oracle: bool = False) -> Stage:
    """The score stage; `oracle`: also the n-best oracle of beam_lm and side-by-side hypotheses."""
    def run(ctx: StageContext) -> None:
        score(ctx, oracle)

    def _oracle(template: str) -> str | None:
        return template if oracle else None

    decodes = "exp/{tag}/decode_{eval}_{decoder}"
    return Stage(
        7, "score", run,
        # every data dir (not only the scored ones): the report's Data tab describes them all
        inputs={"decode": decodes, "data": "data/{set}", "text": "data/{set}/text",
                "dropped": "data/{set}/manifest.dropped.tsv", "lang": "data/lang", "model": "exp/{tag}/model",
                "corpus_info": "data/local/corpus.json", "nbest": _oracle("exp/{tag}/decode_{eval}_beam_lm/nbest")},
        optional={"curves": "exp/{tag}/work/curves.json"},  # none for a model that was not trained here
        outputs={"card": "exp/{tag}/model/README.md", "side_by_side": _oracle("exp/{tag}/side_by_side_{eval}.txt"),
                 "report": "exp/{tag}/report"},
        in_place={"scores": f"{decodes}/score", "oracle": _oracle("exp/{tag}/decode_{eval}_oracle")},
        settings=("text", "corpus.lang"), modules=("text.normalizer",), after=results,
        doc="WER/CER reports, the model card, the explorer report (exp/<tag>/report/index.html), RESULTS.md")
