"""Named phases of a rebuild where a test can hold it, so an interruption lands exactly there.

Killing a rebuild "somewhere in the middle" by timing is a race a fast machine loses (the
rebuild ends before the signal arrives). With `FILMCHAT_TEST_PAUSE_AT=embedding` the rebuild
announces on stderr that it has reached that phase and waits there for the test's signal:
SIGINT becomes the usual KeyboardInterrupt, SIGKILL ends it on the spot. A rebuild held in a
server's worker thread, where no signal lands, goes on once the file named by
`FILMCHAT_TEST_RELEASE` exists: the test creates it when it has checked what it wanted to check
meanwhile. Unset (always, outside tests) a checkpoint costs one dictionary lookup.
"""

from __future__ import annotations

import os
import sys
import time

from filmchat.errors import FilmchatError

PAUSE_VARIABLE = "FILMCHAT_TEST_PAUSE_AT"
RELEASE_VARIABLE = "FILMCHAT_TEST_RELEASE"
PAUSED = "filmchat-test: paused at"
# The phases, in the order a rebuild reaches them
PHASES = (
    "corpus-loaded",  # articles read and cleaned, before the model is loaded
    "embedding",  # the first batch of chunks embedded, more to come
    "writing",  # the new generation's folder exists and is being filled
    "vectors-written",  # vectors on disk, manifest not yet
    "manifest-written",  # everything on disk, not yet the live generation
)
_MAX_WAIT_SECONDS = 600


def checkpoint(phase: str) -> None:
    """Wait here for a signal (or the release file) if a test asked to pause at `phase`."""
    wanted = os.environ.get(PAUSE_VARIABLE)
    if wanted != phase:
        return
    print(f"{PAUSED} {phase}", file=sys.stderr, flush=True)
    # Short naps, not one long sleep: a SIGINT that lands just before a sleep begins would
    # otherwise wait out the whole sleep; between naps Python raises its KeyboardInterrupt.
    release = os.environ.get(RELEASE_VARIABLE)
    deadline = time.monotonic() + _MAX_WAIT_SECONDS
    while time.monotonic() < deadline:
        if release and os.path.exists(release):
            return
        time.sleep(0.05)
    raise FilmchatError(f"{PAUSE_VARIABLE}={phase}: no signal came; the rebuild was abandoned.")
