"""Stage 3: JSON-lines manifests with duration limits, for every set."""
from __future__ import annotations

from pipeline.stages import Stage, StageContext


def manifest(ctx: StageContext) -> None:
    from steps.make_manifest import make_manifest

    for name in ctx.values("set"):
        make_manifest(ctx.input("data", set=name), ctx.output("manifest", set=name),
                      ctx.output("dropped", set=name), ctx.setting("data.min_duration"),
                      ctx.setting("data.max_duration"), ctx.setting("data.max_drop_share"))


def stage() -> Stage:
    return Stage(3, "manifest", manifest,
                 inputs={"data": "data/{set}", "text": "data/{set}/text"},
                 outputs={"manifest": "data/{set}/manifest.jsonl", "dropped": "data/{set}/manifest.dropped.tsv"},
                 settings=("data",), doc="JSON-lines manifests with duration limits")
