"""Child-process set-up for tests that press Ctrl-C on a run."""
from __future__ import annotations

import signal


def sigint_as_at_a_terminal() -> None:
    """`preexec_fn`: let SIGINT reach the child as Ctrl-C at a terminal would.

    A shell starts background jobs with SIGINT ignored, and children inherit that; Python then
    installs no KeyboardInterrupt handler. So a test suite run in the background (`make test &`,
    some CI runners) would see the child shrug Ctrl-C off.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
