"""``python -m feedpub`` (and the ``feedpub`` program) runs the command line."""

import os
import signal
from types import FrameType


def _stopped_starting(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C or SIGTERM while the program starts (its modules imported, a few tenths
    of a second): nothing done yet, one line and 128 + the signal's number, as a command
    stopped later says (Python's was a traceback, or for SIGTERM an end without a word)."""
    os.write(2, f"feedpub: stopped by {signal.Signals(signum).name}\n".encode("ascii"))
    os._exit(128 + signum)


def run() -> None:
    """Start the program: Ctrl-C and SIGTERM stop it with one line until the commands
    take them (see :func:`feedpub.cli.main`)."""
    taken = []
    for signum, usual in ((signal.SIGINT, signal.default_int_handler),
                          (signal.SIGTERM, signal.SIG_DFL)):  # fmt: skip
        if signal.getsignal(signum) is usual:  # (not one ignored: a shell's background job)
            signal.signal(signum, _stopped_starting)
            taken.append((signum, usual))
    from .parallel import load_patterns

    load_patterns()  # (before the imports that compile them)
    from .cli import main

    for signum, usual in taken:
        signal.signal(signum, usual)
    main()


if __name__ == "__main__":
    run()
