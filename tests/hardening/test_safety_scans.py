"""Source scans: no shell with corpus-provided strings, YAML read safely, model weights as safetensors.

Every Python file of the project (not .venv, not the KenLM build under tools/kenlm) is read
line by line; a line matching a rule fails the test with file:line and the rule's reason.
The scanner is itself tested on planted lines, one per rule, so a rule that stopped matching
would be noticed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", ".git", "__pycache__", "node_modules", ".mirror"}
SKIPPED_PATHS = ("tools/kenlm",)


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    reason: str
    unless: re.Pattern[str] | None = None  # the line is fine when this also matches


def _rx(text: str) -> re.Pattern[str]:
    return re.compile(text)


RULES = (
    Rule("shell", _rx(r"\bshell\s*=\s*True\b"),
         "a shell would interpret corpus-provided file names; pass an argv list"),
    Rule("os.system", _rx(r"\bos\s*\.\s*system\s*\("), "runs a shell; use subprocess.run with an argv list"),
    Rule("os.popen", _rx(r"\bos\s*\.\s*popen\s*\("), "runs a shell; use subprocess.run with an argv list"),
    Rule("yaml.load", _rx(r"\byaml\s*\.\s*(load|load_all|unsafe_load|full_load|full_load_all)\s*\("),
         "can build arbitrary Python objects; use yaml.safe_load"),
    Rule("yaml loader", _rx(r"\b(Unsafe|Full)?Loader\s*=\s*(yaml\s*\.\s*)?(Unsafe|Full)?Loader\b"),
         "an unsafe YAML loader; use yaml.safe_load"),
    Rule("yaml.dump", _rx(r"\byaml\s*\.\s*(dump|dump_all)\s*\("),
         "can write Python-specific tags that only an unsafe loader reads back; use yaml.safe_dump"),
    Rule("safe_serialization", _rx(r"\bsafe_serialization\s*=\s*False\b"),
         "model weights must be saved as safetensors"),
    Rule("torch.save", _rx(r"\btorch\s*\.\s*save\s*\("),
         "pickles what it saves; model weights go through save_pretrained (safetensors)"),
    Rule("torch.load", _rx(r"\btorch\s*\.\s*load\s*\("),
         "unpickles; load weights with safetensors, or pass weights_only=True",
         unless=_rx(r"weights_only\s*=\s*True")),
    Rule("pickle", _rx(r"\b(pickle|dill|cloudpickle|joblib)\s*\.\s*loads?\s*\("), "unpickling runs code from the file"),
    Rule("allow_pickle", _rx(r"\ballow_pickle\s*=\s*True\b"), "numpy would unpickle objects from the file"),
    Rule("eval", _rx(r"(?<![\w.])(eval|exec)\s*\("), "evaluates text as code"),
)


# Reviewed exceptions: (file, code on the line) -> why it is safe.
ALLOWED = {
    ("steps/new_recipe.py", "exec(compile(normalizer_source"): "runs the repo's own normaliser template",
    ("tests/steps/hub_replicas.py", "torch.save(model.state_dict()"): "a test fixture writing the legacy "
    "pytorch_model.bin format on purpose, to check that loading it uses weights_only=True",
}


def project_files(root: Path) -> list[Path]:
    """The Python files a scan covers, sorted."""
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if set(rel.parts[:-1]) & SKIPPED_DIRS or str(rel).startswith(SKIPPED_PATHS):
            continue
        found.append(path)
    return found


def findings(root: Path, exclude: tuple[Path, ...] = ()) -> list[str]:
    """`path:line: rule: reason  | code` for every offending line under `root`."""
    out = []
    for path in project_files(root):
        if path in exclude:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            code = line.split("#", 1)[0] if not line.lstrip().startswith(("'", '"')) else line
            rel = str(path.relative_to(root))
            if any(rel == file and snippet in code for file, snippet in ALLOWED):
                continue
            for rule in RULES:
                if rule.pattern.search(code) and not (rule.unless and rule.unless.search(code)):
                    out.append(f"{rel}:{number}: {rule.name}: {rule.reason}  | {line.strip()}")
    return out


def test_the_project_has_no_unsafe_calls() -> None:
    files = project_files(REPO)
    assert any(p.relative_to(REPO).parts[0] == "steps" for p in files), "the scan must see steps/"
    assert not any("tools/kenlm" in str(p) or ".venv" in p.parts for p in files)
    problems = findings(REPO, exclude=(Path(__file__).resolve(),))
    assert not problems, "unsafe calls:\n" + "\n".join(problems)


PLANTED = {
    "shell": 'subprocess.run(f"sox {clip} out.wav", shell=True)',
    "os.system": 'os.system("sox " + clip)',
    "os.popen": 'text = os.popen("cat " + name).read()',
    "yaml.load": "config = yaml.load(handle)",
    "yaml loader": "options = dict(Loader=yaml.UnsafeLoader)",
    "yaml.dump": "yaml.dump(settings, handle)",
    "safe_serialization": "model.save_pretrained(out, safe_serialization=False)",
    "torch.save": 'torch.save(model.state_dict(), out / "pytorch_model.bin")',
    "torch.load": 'state = torch.load(out / "pytorch_model.bin")',
    "pickle": "obj = pickle.load(handle)",
    "allow_pickle": "data = np.load(path, allow_pickle=True)",
    "eval": "value = eval(line)",
}


@pytest.mark.parametrize("rule", [rule.name for rule in RULES])
def test_each_rule_catches_a_planted_line(tmp_path: Path, rule: str) -> None:
    (tmp_path / "steps").mkdir()
    (tmp_path / "steps/bad.py").write_text(f"import os\n\n\ndef f(clip):\n    {PLANTED[rule]}\n", encoding="utf-8")
    (tmp_path / "tools/kenlm").mkdir(parents=True)
    (tmp_path / "tools/kenlm/setup.py").write_text(PLANTED[rule] + "\n", encoding="utf-8")  # not ours: skipped
    found = findings(tmp_path)
    assert [line.split(":")[0:3] for line in found] == [["steps/bad.py", "5", f" {rule}"]], found


def test_safe_forms_pass(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text(
        "yaml.safe_load(h)\nyaml.safe_dump(x)\nsubprocess.run(['sox', clip], check=True)\n"
        "torch.load(p, weights_only=True)\nmodel.save_pretrained(out)\nnp.load(p, allow_pickle=False)\n"
        "self.eval()\nmodel.eval()\n# shell=True in a comment is fine\n", encoding="utf-8")
    assert findings(tmp_path) == []
