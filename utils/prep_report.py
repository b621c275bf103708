"""What data prep dropped or repaired, and why: a TSV beside the data dir and a share check."""
from __future__ import annotations

import logging
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import IO

from utils.errors import InputError

log = logging.getLogger(__name__)


class PrepReport:
    """Rows of (file, line, utt_id, action, reason); action is "dropped", "repaired" or "excluded".

    "excluded" is a usable utterance kept out of this split on purpose (the same clip, speaker
    or sentence is held out in another split): it is reported but is not a loss, so it does
    not count towards the share `check_share` limits. `total` counts every row read.
    The rows wait in a temporary file, not in memory: a corpus may need one per clip (every
    clip resampled); only counts are kept here.
    """

    def __init__(self, name: str, total: int = 0) -> None:
        self.name, self.total = name, total
        self._actions: Counter[str] = Counter()
        self._kinds: dict[str, Counter[str]] = {"dropped": Counter(), "excluded": Counter()}
        self._rows: IO[str] | None = None

    def drop(self, file: str, line: int, utt_id: str, reason: str) -> None:
        self._add(file, line, utt_id, "dropped", reason)

    def repair(self, file: str, line: int, utt_id: str, reason: str) -> None:
        self._add(file, line, utt_id, "repaired", reason)

    def exclude(self, file: str, line: int, utt_id: str, reason: str) -> None:
        self._add(file, line, utt_id, "excluded", reason)

    def _add(self, file: str, line: int, utt_id: str, action: str, reason: str) -> None:
        if self._rows is None:
            self._rows = tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n")
        self._rows.write("\t".join([file, str(line), utt_id, action, reason.replace("\t", " ")]) + "\n")
        self._actions[action] += 1
        if action in self._kinds:
            self._kinds[action][reason_kind(reason, action)] += 1

    @property
    def dropped(self) -> int:
        return self._actions["dropped"]

    @property
    def excluded(self) -> int:
        return self._actions["excluded"]

    def write(self, path: Path) -> None:
        """The report as a TSV with a header row, the rows in the order they were added."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as out:
            out.write("file\tline\tutt_id\taction\treason\n")
            if self._rows is not None:
                self._rows.seek(0)
                shutil.copyfileobj(self._rows, out)
                self._rows.seek(0, 2)

    def summary(self) -> str:
        repaired = self._actions["repaired"]
        kept = self.total - self.dropped - self.excluded
        text = f"{self.name}: kept {kept}/{self.total}, dropped {self.dropped}{self._top('dropped')}"
        if self.excluded:
            text += f", excluded {self.excluded}{self._top('excluded')}"
        return text + f", repaired {repaired}"

    def _top(self, action: str) -> str:
        reasons = self._kinds[action]
        top = ", ".join(f"{n}× {k}" for k, n in reasons.most_common(4))
        return f" ({top})" if top else ""

    def check_share(self, max_share: float, report_path: Path) -> None:
        """InputError when more than `max_share` of the input was dropped (report already written)."""
        log.info("%s", self.summary())
        considered = self.total - self.excluded
        if considered and self.dropped / considered > max_share:
            raise InputError(f"{self.summary()}: more than {max_share:.0%} of the input would be dropped; "
                             f"see {report_path} (raise the limit with the config's max_drop_share "
                             "only if that is really what you want)")
        if considered <= 0:
            raise InputError(f"{self.name}: no utterances found" + (f" ({self.excluded} excluded as held out)"
                                                                     if self.excluded else ""))


def reason_kind(reason: str, action: str = "dropped") -> str:
    """A drop (or exclusion) reason without its particulars, for counting by kind."""
    # dropped: "path/x.mp3: zero-byte file" -> "zero-byte file";
    # excluded: "clip also in test.tsv (line 3)" -> "clip also in test.tsv"
    if action == "excluded":
        return reason.split(" (", 1)[0][:60]
    return reason.rsplit(": ", 1)[-1][:60]
