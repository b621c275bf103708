"""The explorer report's files: index.html (page, style and script inlined) and data.js beside it.

The page is plain HTML, CSS and JavaScript kept in utils/report_assets/ and written by hand, no
library: it needs a paged table, an aligned-text view and a few line and bar charts, which are
a few hundred lines, and a vendored framework would be more code to audit than that, would have
to be kept up to date, and still be unable to read local files. The data goes into a script
file (`window.CURRACH_REPORT = {...};`) rather than a .json, because a page opened from file://
may not fetch() its neighbours in Chromium or Firefox, but it may load a <script src>. Nothing is
fetched from the network.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from utils.errors import InputError
from utils.text_files import atomic_write_text

CODE_DATA = ("report_assets",)  # code, not data: each stage that imports this module fingerprints them (pipeline/code_deps.py)
ASSETS = Path(__file__).resolve().parent / CODE_DATA[0]
SCRIPTS = ("dom.js", "charts.js", "utterances.js", "sections.js", "main.js")
DATA_FILE = "data.js"
PAGE_FILE = "index.html"
DATA_VARIABLE = "CURRACH_REPORT"


def write_page(out_dir: Path, data: dict, title: str) -> Path:
    """Write `data.js` and `index.html` into `out_dir` (made if missing); the index.html path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError as exc:  # NaN or infinity, e.g. "nan" as a duration in utt2dur
        raise InputError(f"report for {out_dir}: a number in the inputs is not finite ({exc}); "
                         "check utt2dur and the score.json files") from exc
    atomic_write_text(out_dir / DATA_FILE, f"window.{DATA_VARIABLE} = {payload};\n")
    page = (ASSETS / "page.html").read_text(encoding="utf-8")
    script = "\n".join((ASSETS / name).read_text(encoding="utf-8") for name in SCRIPTS)
    # "</" would end the inline <script> early; inside JS "<\/" means the same thing.
    fills = {"TITLE": _escape(title), "STYLE": (ASSETS / "report.css").read_text(encoding="utf-8"),
             "DATA_FILE": DATA_FILE, "SCRIPT": script.replace("</", "<\\/")}
    # One pass, so that a title holding "{{SCRIPT}}" stays text.
    page = re.sub(r"\{\{([A-Z_]+)\}\}", lambda m: fills[m.group(1)], page)
    return atomic_write_text(out_dir / PAGE_FILE, page)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
