"""Stage 3: JSON-lines manifests for every set. The duration limits (data.min_duration,
data.max_duration) bound what training sees; the evaluation sets (dev, test) have no upper
limit: every utterance is decoded and scored, as in Kaldi and ESPnet, and a long one is never
silently scored as all deletions."""
from __future__ import annotations

from pipeline.stages import Stage, StageContext


def manifest(ctx: StageContext) -> None:
    from steps.make_manifest import make_manifest

    evals = set(ctx.values("eval"))
    for name in ctx.values("set"):
        longest = float("inf") if name in evals else ctx.setting("data.max_duration")
        make_manifest(ctx.input("data", set=name), ctx.output("manifest", set=name),
                      ctx.output("dropped", set=name), ctx.setting("data.min_duration"),
                      longest, ctx.setting("data.max_drop_share"))


def stage() -> Stage:
    return Stage(3, "manifest", manifest,
                 inputs={"data": "data/{set}", "text": "data/{set}/text"},
                 outputs={"manifest": "data/{set}/manifest.jsonl", "dropped": "data/{set}/manifest.dropped.tsv"},
                 settings=("data",), doc="JSON-lines manifests; duration limits on training sets only")
