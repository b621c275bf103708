"""A stage's code fingerprint: its module and every repo-local module that module imports, transitively.

Imports are read from the source with `ast` (every `import` / `from ... import`, including
those inside functions and `if` blocks), never by importing, so fingerprinting a stage costs no
torch import. A module is repo-local when its file lies under the repository root (the folder
holding `pipeline/`); packages contribute their `__init__.py`. The engine itself (`pipeline.*`)
is left out: its bookkeeping does not decide what a stage writes. Each file's imports are cached
in a JSON file keyed by its path relative to the root and its SHA-256, so an unchanged tree costs
a read of each file (hashing ~100 small files) and no parsing.

Files that are code without being Python (a page's HTML, CSS and JavaScript) join the fingerprint
of every stage that imports the module owning them: that module names them in a module-level
tuple, folders or files relative to its own folder,

    CODE_DATA = ("report_assets",)

and each file under them (hidden files and __pycache__ left out) enters the closure under its
path relative to the root ("utils/report_assets/page.html"), so editing one re-runs those stages.
"""
from __future__ import annotations

import ast
import hashlib
import json
import os
from pathlib import Path
from typing import Iterable

ROOT = Path(__file__).absolute().parents[1]  # not resolved: a linked package is fingerprinted where it is seen
ENGINE = "pipeline"
_FUNC = ":"  # "path/to/run.py:corpus": one function of a script
DATA_NAME = "CODE_DATA"


class ImportGraph:
    """Module name -> (file, imported module names), with an on-disk cache of the parse results."""

    def __init__(self, cache_file: Path | None = None, root: Path = ROOT):
        self.root = root
        self.cache_file = cache_file
        self._cache: dict[str, list] = {}
        self._dirty = False
        if cache_file is not None and cache_file.is_file():
            try:
                self._cache = json.loads(cache_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self._cache = {}

    def module_file(self, module: str) -> Path | None:
        """The repo-local source file of `module`, or None (third-party, stdlib, missing).

        A name that is a file path (a script run as `__main__`) is that file; "<path>:<function>"
        (one function of such a script) is that file too.
        """
        if os.sep in module:
            file = Path(module.rsplit(_FUNC, 1)[0] if _FUNC in Path(module).name else module)
            return file if file.is_file() else None
        base = self.root.joinpath(*module.split("."))
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
        return None

    def closure(self, modules: Iterable[str]) -> dict[str, str]:
        """{module: sha256 of its source} for `modules` and everything repo-local they import, plus
        {path: sha256} of each file their CODE_DATA names (see the module docstring)."""
        seen: dict[str, str] = {}
        todo = list(modules)
        while todo:
            module = todo.pop()
            if module in seen or module.split(".")[0] == ENGINE:
                continue
            path = self.module_file(module)
            if path is None:
                continue
            if os.sep in module and _FUNC in Path(module).name:  # one function of a script: its own code and imports
                name, digest, imported = self._script_function(path, module.rsplit(_FUNC, 1)[1])
                if name not in seen:
                    seen[name] = digest
                    todo.extend(imported)
                continue
            module = self._name(path, module)
            if module in seen:
                continue
            digest, imported, data = self._parse(path, module)
            seen[module] = digest
            seen.update(self._data_files(path, data))
            parts = module.split(".") if os.sep not in module else []
            todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # parent packages' __init__
            todo.extend(imported)
        return seen

    def file_digest(self, module: str) -> str | None:
        """The sha256 of a module's (or a dotted script name's) source file, None if there is none."""
        path = self.module_file(module)
        return hashlib.sha256(path.read_bytes()).hexdigest() if path is not None else None

    def fingerprint(self, modules: Iterable[str]) -> tuple[str, dict[str, str]]:
        """SHA-256 over the closure of `modules`, and the closure itself ({module: source sha256})."""
        closure = self.closure(modules)
        h = hashlib.sha256()
        for name in sorted(closure):
            h.update(f"{name}\0{closure[name]}\n".encode())
        return h.hexdigest(), dict(sorted(closure.items()))

    def save(self) -> None:
        """Write the parse cache back (atomically) if anything was parsed."""
        if self.cache_file is None or not self._dirty:
            return
        self.cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.cache_file.with_name("." + self.cache_file.name + ".tmp")
        tmp.write_text(json.dumps(self._cache), encoding="utf-8")
        os.replace(tmp, self.cache_file)
        self._dirty = False

    def _name(self, path: Path, module: str) -> str:
        """A script inside the root gets its dotted name (recipes.ga_ie.run); outside, its path."""
        if os.sep not in module:
            return module
        try:
            return ".".join(path.absolute().relative_to(self.root).with_suffix("").parts)
        except ValueError:
            return module

    def _script_function(self, path: Path, func: str) -> tuple[str, str, list[str]]:
        """`recipes.ivr_en.run:corpus`, the sha256 of the source of `func` and of every top-level
        function, class or assignment of the script it reaches by name, and the modules those import
        (inside them, or at the script's top level under a name they use). Editing another stage's
        function, the stage table or an import the function does not use leaves it unchanged."""
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source, filename=str(path))
        module = self._name(path, str(path))
        top: dict[str, ast.stmt] = {}
        bound: dict[str, list[str]] = {}  # a name the script's top-level imports bind -> the modules
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                top[node.name] = node
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                for target in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                    if isinstance(target, ast.Name):
                        top[target.id] = node
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                found = imports_of(ast.Module(body=[node], type_ignores=[]), module, False)
                for alias in node.names:
                    bound[alias.asname or alias.name.split(".")[0]] = found
        reached: dict[int, ast.stmt] = {}
        used: set[str] = set()
        todo = [func]
        while todo:
            name = todo.pop()
            if name in used:
                continue
            used.add(name)
            node = top.get(name)
            if node is not None and id(node) not in reached:
                reached[id(node)] = node
                todo.extend(n.id for n in ast.walk(node) if isinstance(n, ast.Name))
        nodes = sorted(reached.values(), key=lambda n: n.lineno)
        h = hashlib.sha256()
        for node in nodes:
            h.update((ast.get_source_segment(source, node) or "").encode() + b"\0")
        imported = [m for node in nodes for m in imports_of(node, module, False)]
        imported += [m for name in sorted(used & set(bound)) for m in bound[name]]
        return f"{module}{_FUNC}{func}", h.hexdigest(), sorted(set(imported))

    def _data_files(self, module_file: Path, names: list[str]) -> dict[str, str]:
        """{path relative to the root: sha256} of every file under the CODE_DATA `names` of a module."""
        found = {}
        for name in names:
            target = module_file.parent / name
            if not target.exists():
                raise ValueError(f"{module_file}: {DATA_NAME} names {name!r}, which does not exist beside it")
            files = [target] if target.is_file() else sorted(
                p for p in target.rglob("*") if p.is_file() and not any(
                    part.startswith(".") or part == "__pycache__" for part in p.relative_to(target).parts))
            for file in files:
                try:
                    key = file.absolute().relative_to(self.root).as_posix()
                except ValueError:
                    key = str(file.absolute())
                found[key] = hashlib.sha256(file.read_bytes()).hexdigest()
        return found

    def _parse(self, path: Path, module: str) -> tuple[str, list[str], list[str]]:
        """(source sha256, imported module names, CODE_DATA names), from the cache when the source is unchanged."""
        source = path.read_bytes()
        digest = hashlib.sha256(source).hexdigest()
        key = os.path.relpath(path.absolute(), self.root)
        hit = self._cache.get(key)
        if hit is not None and len(hit) == 3 and hit[0] == digest:
            return digest, hit[1], hit[2]
        is_package = path.name == "__init__.py" or os.sep in module
        tree = ast.parse(source, filename=str(path))
        imported = sorted(set(imports_of(tree, module, is_package)))
        try:
            data = module_constant(tree, DATA_NAME) or ()
        except ValueError:
            data = None
        if not isinstance(data, (tuple, list)) or not all(isinstance(n, str) and n for n in data):
            raise ValueError(f"{path}: {DATA_NAME} must be a literal tuple of paths relative to the module's folder")
        self._cache[key] = [digest, imported, list(data)]
        self._dirty = True
        return digest, imported, list(data)


def imports_of(tree: ast.AST, module: str, is_package: bool) -> list[str]:
    """Absolute names of every module an AST imports (`from a import b` yields a and a.b)."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            if prefix:
                names.append(prefix)
            names.extend(f"{prefix}.{alias.name}" if prefix else alias.name for alias in node.names)
    return names


def module_constant(tree: ast.Module, name: str) -> object:
    """The literal value of a module-level `name = ...` (or `name: T = ...`), None when there is none.

    Raises ValueError when the value is not a literal (ast.literal_eval's error).
    """
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        if any(isinstance(t, ast.Name) and t.id == name for t in targets) and node.value is not None:
            return ast.literal_eval(node.value)
    return None
