"""new_recipe: a recipe for a new language in one command, from an existing recipe.

    python -m steps new_recipe cy --lang cy --sentences welsh.txt
    python -m steps new_recipe ga_test --lang ga --from ga_ie     # local/sentences/ga.txt exists

Writes, refusing to overwrite any of them:
  recipes/ID/run.py             the --from recipe's stage table, its docstring rewritten
  recipes/ID/conf/tiny.yaml     its tiny config with text.normalizer, corpus.lang, corpus.sentences set
  recipes/ID/README.md          a checklist of what to edit next
  local/normalizers/ID.py       a generic normaliser (NFC, lowercase, punctuation out, in-word ')
  tests/local/normalizers/test_ID.py   table-driven rows for it, some from the sentence list
  local/sentences/ID.txt        a copy of --sentences (without it, local/sentences/ID.txt or
                                LANG.txt must exist already, and the config points at it)
The templates are read as text (from steps/templates/ and recipes/FROM/): nothing here
imports recipes/ or local/.
"""
from __future__ import annotations

import ast
import json
import logging
import re
import shutil
import textwrap
from pathlib import Path
from string import Template
from typing import Annotated, Callable

import typer
import yaml

from utils.errors import CurrachError, InputError
from utils.espeak_voices import check_espeak_voice

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_ROOT = Path(__file__).absolute().parents[1]  # not resolved: a linked steps/ writes beside itself
MIN_SENTENCES = 10  # local.synth_corpus refuses fewer
ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*")


def new_recipe(recipe_id: str, lang: str, source: str = "ga_ie", sentences: Path | None = None,
               root: Path | None = None) -> Path:
    """Create recipes/ID (run.py, conf/tiny.yaml, README.md), its normaliser, test and sentences.

    Everything is checked before anything is written: the id (lowercase letters, digits, _),
    the --from recipe, that espeak-ng has a voice for `lang`, the sentence list (UTF-8, at
    least 10 distinct lines), and that no file would be overwritten. Raises InputError (or
    CurrachError when espeak-ng is missing); returns the new recipe folder.
    """
    root = root or DEFAULT_ROOT
    _check_id(recipe_id)
    template = _template_recipe(root, source)
    voice = check_espeak_voice(lang)
    sentences_file, copy_from = _sentence_list(root, recipe_id, lang, sentences)
    lines = _read_sentences(copy_from or sentences_file)
    recipe = root / "recipes" / recipe_id
    command = f"python -m steps new_recipe {recipe_id} --lang {lang} --from {source}"
    fields = {"id": recipe_id, "name": voice.name, "lang": lang, "source": source, "command": command,
              "sentences": sentences_file.relative_to(root).as_posix()}
    normalizer = _render("normalizer.py.tmpl", fields)
    files = {
        recipe / "run.py": _render_run((template / "run.py").read_text(encoding="utf-8"), fields),
        recipe / "conf/tiny.yaml": _render_config((template / "conf/tiny.yaml").read_text(encoding="utf-8"),
                                                  recipe_id, lang, fields["sentences"]),
        recipe / "README.md": _render("recipe_README.md.tmpl", fields),
        root / "local/normalizers" / f"{recipe_id}.py": normalizer,
        root / "tests/local/normalizers" / f"test_{recipe_id}.py":
            _render("test_normalizer.py.tmpl", {**fields, "rows": _example_rows(normalizer, lines)}),
    }
    if copy_from is not None:
        files[sentences_file] = "\n".join(lines) + "\n"
    _refuse_overwrite([recipe, *files])
    _write_files(files)
    shutil.copymode(template / "run.py", recipe / "run.py")
    logger.info("new_recipe: wrote %s", ", ".join(str(p.relative_to(root)) for p in files))
    return recipe


def _check_id(recipe_id: str) -> None:
    if not ID_PATTERN.fullmatch(recipe_id):
        raise InputError(f"recipe id {recipe_id!r}: use lowercase letters, digits and _, starting with "
                         f"a letter (it names recipes/ID and the module local.normalizers.ID), e.g. cy or sw_ke")


def _template_recipe(root: Path, source: str) -> Path:
    template = root / "recipes" / source
    if not (template / "run.py").is_file() or not (template / "conf/tiny.yaml").is_file():
        known = sorted(p.name for p in (root / "recipes").glob("*") if (p / "run.py").is_file())
        raise InputError(f"--from {source}: {template} has no run.py and conf/tiny.yaml; "
                         f"recipes to copy: {', '.join(known) or 'none'}")
    return template


def _sentence_list(root: Path, recipe_id: str, lang: str, given: Path | None) -> tuple[Path, Path | None]:
    """(the list the config names, the file to copy it from or None when it is already there)."""
    folder = root / "local/sentences"
    if given is not None:
        if not given.is_file():
            raise InputError(f"--sentences {given}: no such file (one sentence per line, UTF-8)")
        target = folder / f"{recipe_id}.txt"
        return (target, None) if target.is_file() and target.samefile(given) else (target, given)
    for candidate in (folder / f"{recipe_id}.txt", folder / f"{lang}.txt"):
        if candidate.is_file():
            return candidate, None
    raise InputError(f"no sentence list for {recipe_id!r} ({folder}/{recipe_id}.txt or {lang}.txt): "
                     f"pass --sentences FILE, at least {MIN_SENTENCES} distinct sentences in the "
                     f"language, one per line; stage 0 speaks them for the synthetic corpus")


def _read_sentences(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from err
    lines = list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))
    if len(lines) < MIN_SENTENCES:
        raise InputError(f"{path}: needs at least {MIN_SENTENCES} distinct sentences, found {len(lines)}")
    return lines


def _render(name: str, fields: dict[str, str]) -> str:
    return Template((TEMPLATES / name).read_text(encoding="utf-8")).substitute(fields)


def _render_run(text: str, fields: dict[str, str]) -> str:
    """The template's run.py with its module docstring replaced by one about the new recipe."""
    name, recipe_id, source = fields["name"], fields["id"], fields["source"]
    about = (f"Made by `{fields['command']}`. With no --corpus-dir, stage 0 synthesises a small "
             f"corpus from {fields['sentences']} spoken by `espeak-ng -v {fields['lang']}` in Common "
             f"Voice's layout and conf/tiny.yaml trains on it: a demo of the pipeline, not real {name} "
             f"speech. --corpus-dir takes what recipes/{source}/run.py takes. What to edit next: "
             f"recipes/{recipe_id}/README.md.")
    docstring = (f'"""{name} ({recipe_id}): the stage table of recipes/{source}/run.py, with its own '
                 f'normaliser and sentences.\n\n{textwrap.fill(about, 92, break_on_hyphens=False)}\n"""\n')
    lines = text.splitlines(keepends=True)
    body = ast.parse(text).body
    first = body[0] if body else None
    if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        lines[first.lineno - 1:first.end_lineno] = [docstring]
    else:
        lines.insert(1 if lines and lines[0].startswith("#!") else 0, docstring)
    return "".join(lines)


def _render_config(text: str, recipe_id: str, lang: str, sentences: str) -> str:
    """conf/tiny.yaml text with the three per-language keys set, comments and layout kept."""
    wanted = {("text", "normalizer"): f"local.normalizers.{recipe_id}", ("corpus", "lang"): lang,
              ("corpus", "sentences"): f"../../{sentences}"}
    for (section, key), value in wanted.items():
        text = _set_yaml_key(text, section, key, value)
    config = yaml.safe_load(text)
    for (section, key), value in wanted.items():
        if config[section][key] != value:
            raise CurrachError(f"new_recipe: could not set {section}.{key} in the template config")
    return text


def _set_yaml_key(text: str, section: str, key: str, value: str) -> str:
    """Replace the value of `section: / key:` (first level, block style) in YAML text."""
    scalar = value if yaml.safe_load(value) == value else json.dumps(value)
    lines, current = text.splitlines(keepends=True), None
    for number, line in enumerate(lines):
        if line[:1] not in ("", " ", "#", "\n"):
            current = line.split(":", 1)[0].strip()
            continue
        match = re.match(rf"^( +{re.escape(key)}:[ \t]*)([^#\n]*?)([ \t]+#[^\n]*)?(\n?)$", line)
        if current == section and match:
            prefix, old, comment, end = match.groups()
            if comment:  # keep the comment in its column where the new value leaves room
                spaces = len(comment) - len(comment.lstrip(" \t"))
                comment = " " * max(1, len(old) + spaces - len(scalar)) + comment.lstrip(" \t")
            lines[number] = f"{prefix}{scalar}{comment or ''}{end}"
            return "".join(lines)
    raise CurrachError(f"new_recipe: the template config has no {section}.{key} to set")


def _example_rows(normalizer_source: str, sentences: list[str], limit: int = 8) -> str:
    """Test rows (raw, normalised) for sentences that show the most different marks."""
    namespace: dict[str, object] = {"__name__": "new_recipe_template"}
    exec(compile(normalizer_source, "normalizer.py.tmpl", "exec"), namespace)  # our own template
    normalize: Callable[[str], str] = namespace["normalize"]  # type: ignore[assignment]
    pool = [s for s in sentences if normalize(s) != s]
    picked: list[str] = []
    seen: set[str] = set()
    while pool and len(picked) < limit:
        best = max(pool, key=lambda s: (len(_marks(s) - seen), -len(s)))
        if len(picked) >= 3 and not _marks(best) - seen:
            break
        picked.append(best)
        pool.remove(best)
        seen |= _marks(best)
    return "\n".join(f"        ({json.dumps(s, ensure_ascii=False)}, {json.dumps(normalize(s), ensure_ascii=False)}),"
                     for s in picked)


def _marks(sentence: str) -> set[str]:
    """What a sentence shows a normaliser: punctuation, capitals, letters beyond ASCII."""
    marks = {c for c in sentence if not c.isalnum() and not c.isspace()}
    marks |= {c.lower() for c in sentence if c.isalpha() and not c.isascii()}
    return marks | ({"<capital>"} if any(c.isupper() for c in sentence) else set())


def _refuse_overwrite(paths: list[Path]) -> None:
    taken = [p for p in paths if p.exists()]
    if taken:
        raise InputError(f"new_recipe: {', '.join(map(str, taken))} already exist(s); nothing was written. "
                         f"Pick another id, or delete them first")


def _write_files(files: dict[Path, str]) -> None:
    """Write every file (mode "x": never over an existing one); on any failure remove them again."""
    written: list[Path] = []
    made: list[Path] = []
    try:
        for path, text in files.items():
            for folder in reversed([path.parent, *path.parent.parents]):
                if not folder.exists():
                    folder.mkdir()
                    made.append(folder)
            with path.open("x", encoding="utf-8") as handle:
                written.append(path)
                handle.write(text)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        for folder in reversed(made):
            folder.rmdir()
        raise


def main(
    recipe_id: Annotated[str, typer.Argument(
        metavar="ID", help="the new recipe: recipes/ID, local/normalizers/ID.py (a-z, 0-9, _)")],
    lang: Annotated[str, typer.Option(
        help="espeak-ng language code that speaks the synthetic corpus (`espeak-ng --voices`)")],
    source: Annotated[str, typer.Option("--from", help="recipe to copy run.py and conf/tiny.yaml from")] = "ga_ie",
    sentences: Annotated[Path | None, typer.Option(
        help="sentences, one per line, copied to local/sentences/ID.txt "
             "(needed unless local/sentences/ID.txt or LANG.txt exists)")] = None,
    root: Annotated[Path | None, typer.Option(
        help="repository root to write into (default: the one holding this command)")] = None,
) -> None:
    """Create a recipe for a new language: recipes/ID, its normaliser, test and sentence list.

    Example: python -m steps new_recipe cy --lang cy --sentences welsh.txt
    (refuses to overwrite anything; recipes/ID/README.md lists what to edit next)
    """
    logger.info("new_recipe id=%s lang=%s from=%s sentences=%s root=%s", recipe_id, lang, source, sentences, root)
    try:
        recipe = new_recipe(recipe_id, lang, source, sentences, root)
    except (CurrachError, OSError) as err:
        logger.error("%s", err)
        raise typer.Exit(1) from err
    typer.echo(f"created {recipe}; next: the checklist in {recipe / 'README.md'}")
