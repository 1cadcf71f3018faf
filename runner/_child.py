"""Entry point of the child process that plays the language host for one run.

Reads a job (JSON) on stdin, runs it with `_engine.execute` and writes the result (JSON) to the
file named on the command line; the program's own prints go to this process's stdout.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ._engine import execute
from ._model import ResourceState


def main() -> None:
    """Run the job from stdin and write its result to `sys.argv[1]`."""
    job = json.load(sys.stdin)
    result = execute(
        program_dir=Path(job["program_dir"]),
        mode=job["mode"],
        config=job["config"],
        secret_keys=job["secret_keys"],
        project=job["project"],
        stack=job["stack"],
        prior=[ResourceState(**r) for r in job["state"]],
    )
    Path(sys.argv[1]).write_text(json.dumps(result.to_json()))


if __name__ == "__main__":
    main()
