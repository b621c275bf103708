"""What data prep dropped or repaired, and why: a TSV beside the data dir and a share check."""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from utils.errors import InputError

log = logging.getLogger(__name__)


@dataclass
class PrepReport:
    """Rows of (file, line, utt_id, action, reason); action is "dropped", "repaired" or "excluded".

    "excluded" is a usable utterance kept out of this split on purpose (the same clip, speaker
    or sentence is held out in another split): it is reported but is not a loss, so it does
    not count towards the share `check_share` limits. `total` counts every row read.
    """

    name: str
    total: int = 0
    rows: list[tuple[str, int, str, str, str]] = field(default_factory=list)

    def drop(self, file: str, line: int, utt_id: str, reason: str) -> None:
        self.rows.append((file, line, utt_id, "dropped", reason))

    def repair(self, file: str, line: int, utt_id: str, reason: str) -> None:
        self.rows.append((file, line, utt_id, "repaired", reason))

    def exclude(self, file: str, line: int, utt_id: str, reason: str) -> None:
        self.rows.append((file, line, utt_id, "excluded", reason))

    @property
    def dropped(self) -> int:
        return sum(1 for r in self.rows if r[3] == "dropped")

    @property
    def excluded(self) -> int:
        return sum(1 for r in self.rows if r[3] == "excluded")

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = ["file\tline\tutt_id\taction\treason"]
        lines += ["\t".join([f, str(n), u, a, r.replace("\t", " ")]) for f, n, u, a, r in self.rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def summary(self) -> str:
        repaired = sum(1 for r in self.rows if r[3] == "repaired")
        kept = self.total - self.dropped - self.excluded
        text = f"{self.name}: kept {kept}/{self.total}, dropped {self.dropped}{self._top('dropped')}"
        if self.excluded:
            text += f", excluded {self.excluded}{self._top('excluded')}"
        return text + f", repaired {repaired}"

    def _top(self, action: str) -> str:
        reasons = Counter(reason_kind(r[4], action) for r in self.rows if r[3] == action)
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
