"""The `filmchat` command run inside the test process, through click's CliRunner.

The same entry point a user's shell runs (`filmchat.cli:main`: arguments, environment, one-line
errors and exit codes), without starting Python and importing everything again for each call.
Each command keeps one test through the real installed script in a subprocess; the others use
this. The result is a `subprocess.CompletedProcess`, so a test reads it the same either way.
"""

from __future__ import annotations

import os
import subprocess
import sys

from click.testing import CliRunner

from filmchat.cli import main


def filmchat(
    *args: object, env: dict[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `filmchat ARGS` with exactly `env`'s FILMCHAT_* settings and COLUMNS (the user's
    others), stdin from `input`, stdout and stderr captured apart."""
    wanted = env or {}
    overrides: dict[str, str | None] = {
        name: None for name in os.environ if name.startswith("FILMCHAT_") or name == "COLUMNS"
    }
    overrides.update(wanted)
    argv = ["filmchat", *map(str, args)]
    runner = CliRunner()
    saved_argv = sys.argv
    with runner.isolation(input=input, env=overrides) as (stdout, stderr, _):
        sys.argv = argv
        try:
            main()
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        finally:
            sys.argv = saved_argv
            sys.stdout.flush()
            sys.stderr.flush()
        out = stdout.getvalue().decode(runner.charset)
        err = stderr.getvalue().decode(runner.charset, errors="backslashreplace")
    return subprocess.CompletedProcess(argv, code, out, err)
