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
    """Rows of (file, line, utt_id, action, reason); action is "dropped" or "repaired"."""

    name: str
    total: int = 0
    rows: list[tuple[str, int, str, str, str]] = field(default_factory=list)

    def drop(self, file: str, line: int, utt_id: str, reason: str) -> None:
        self.rows.append((file, line, utt_id, "dropped", reason))

    def repair(self, file: str, line: int, utt_id: str, reason: str) -> None:
        self.rows.append((file, line, utt_id, "repaired", reason))

    @property
    def dropped(self) -> int:
        return sum(1 for r in self.rows if r[3] == "dropped")

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = ["file\tline\tutt_id\taction\treason"]
        lines += ["\t".join([f, str(n), u, a, r.replace("\t", " ")]) for f, n, u, a, r in self.rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def summary(self) -> str:
        reasons = Counter(reason_kind(r[4]) for r in self.rows if r[3] == "dropped")
        repaired = sum(1 for r in self.rows if r[3] == "repaired")
        top = ", ".join(f"{n}× {k}" for k, n in reasons.most_common(4))
        return (f"{self.name}: kept {self.total - self.dropped}/{self.total}, dropped {self.dropped}"
                + (f" ({top})" if top else "") + f", repaired {repaired}")

    def check_share(self, max_share: float, report_path: Path) -> None:
        """InputError when more than `max_share` of the input was dropped (report already written)."""
        log.info("%s", self.summary())
        if self.total and self.dropped / self.total > max_share:
            raise InputError(f"{self.summary()}: more than {max_share:.0%} of the input would be dropped; "
                             f"see {report_path} (raise the limit with the config's max_drop_share "
                             "only if that is really what you want)")
        if self.total == 0:
            raise InputError(f"{self.name}: no utterances found")


def reason_kind(reason: str) -> str:
    """A drop reason without its particulars, for counting by kind."""
    # "path/x.mp3: zero-byte file" -> "zero-byte file"
    return reason.rsplit(": ", 1)[-1][:60]
