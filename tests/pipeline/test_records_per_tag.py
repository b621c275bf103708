"""A stage that writes under exp/{tag} keeps one record (and log) per tag: running another config
and then the first again re-runs nothing the first had finished, and its in-place work survives."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# 0 copies src.txt (shared by every tag); 1 "trains" into exp/{tag} (the config's stem), counting its runs
# in a shared in-place file outside exp/{tag}, as a pretraining cache would be.
TOY = textwrap.dedent('''
    import sys
    from pathlib import Path
    sys.path.insert(0, {repo!r})
    from pipeline.stages import Stage
    from pipeline.stage_cli import run_recipe

    def copy(ctx):
        ctx.output("a").write_text(ctx.input("src").read_text())

    def train(ctx):
        with open(ctx.work("runs") / "runs.txt", "a") as f:
            f.write(ctx.values("tag")[0] + "\\n")
        ctx.output("model").write_text(ctx.input("a").read_text() + ctx.config["suffix"])

    STAGES = [
        Stage(0, "copy", copy, inputs={"src": "src.txt"}, outputs={"a": "data/a.txt"}),
        Stage(1, "train", train, inputs={"a": "data/a.txt"}, outputs={"model": "exp/{tag}/model.txt"},
              in_place={"runs": "exp/{tag}/work"}, settings=("suffix",)),
    ]
    if __name__ == "__main__":
        here = Path(__file__).resolve().parent
        sys.exit(run_recipe(STAGES, here, default_config=here / "a.yaml",
                            variables=lambda args, config: {"tag": args.config.stem}))
''')


def run(toy: Path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, str(toy / "run.py"), *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc


def ran(proc: subprocess.CompletedProcess) -> list[str]:
    return [line.split("stage ")[1].split(":")[0] for line in proc.stderr.splitlines() if ": run," in line]


def test_switching_configs_keeps_each_tags_record(tmp_path: Path):
    (tmp_path / "run.py").write_text(TOY.replace("{repo!r}", repr(str(REPO))))
    (tmp_path / "src.txt").write_text("x")
    (tmp_path / "a.yaml").write_text("suffix: A\n")
    (tmp_path / "b.yaml").write_text("suffix: B\n")
    assert ran(run(tmp_path)) == ["0 copy", "1 train"]
    assert ran(run(tmp_path, "--config", str(tmp_path / "b.yaml"))) == ["1 train"]
    assert ran(run(tmp_path)) == []  # a's model is still up to date: not retrained
    assert (tmp_path / "exp/a/work/runs.txt").read_text() == "a\n"
    assert (tmp_path / "exp/a/model.txt").read_text() == "xA"
    assert (tmp_path / "exp/b/model.txt").read_text() == "xB"
    records = sorted(p.name for p in (tmp_path / "exp/.stages").glob("0*.json"))
    assert records == ["00_copy.json", "01_train.a.json", "01_train.b.json"]
    assert (tmp_path / "exp/log/01_train.b.log").exists()
    (tmp_path / "a.yaml").write_text("suffix: C\n")  # a's own settings changed: a re-runs, b does not
    assert ran(run(tmp_path)) == ["1 train"]
    assert ran(run(tmp_path, "--config", str(tmp_path / "b.yaml"))) == []


def test_a_path_valued_field_does_not_name_the_record(tmp_path: Path):
    """{corpus} = "corpus/synthetic" (or an absolute --corpus-dir) is a path, not a tag: the record
    stays 00_copy.json instead of becoming a nested, never-created folder."""
    toy = TOY.replace("{repo!r}", repr(str(REPO))).replace('"data/a.txt"}', '"{corpus}/a.txt"}')
    toy = toy.replace('{"tag": args.config.stem}', '{"tag": args.config.stem, "corpus": "data/synthetic"}')
    (tmp_path / "run.py").write_text(toy)
    (tmp_path / "src.txt").write_text("x")
    (tmp_path / "a.yaml").write_text("suffix: A\n")
    assert ran(run(tmp_path)) == ["0 copy", "1 train"]
    assert sorted(p.name for p in (tmp_path / "exp/.stages").glob("0*.json")) == ["00_copy.json", "01_train.a.json"]
