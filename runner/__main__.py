"""`python -m runner preview|up|refresh|destroy PROGRAM_DIR`: the CLI-like front end."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ._api import RunnerError, run
from ._model import ResourceState, RunResult

_TITLES = {
    "preview": "Previewing update",
    "up": "Updating",
    "refresh": "Refreshing",
    "destroy": "Destroying",
}


class _UsageError(Exception):
    """A command-line value the runner cannot use (exit code 2, like the runner's own errors)."""


def _pairs(values: list[str], flag: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise _UsageError(f"{flag} takes KEY=VALUE, got {item!r}")
        pairs[key] = value
    return pairs


def _load_state(path: Path | None) -> list[ResourceState]:
    if path is None or not path.exists():
        return []
    try:
        return [ResourceState(**r) for r in json.loads(path.read_text())]
    except (ValueError, TypeError) as err:
        raise _UsageError(f"{path} is not a state file written by the runner: {err}") from None


def render(result: RunResult, stack: str, show_traceback: bool = False) -> str:
    """The result as the CLI would print it: operations, outputs, then errors."""
    lines = [f"{_TITLES[result.mode]} ({stack}):", ""]
    width = max((len(o.name) for o in result.operations), default=4)
    for op in result.operations:
        lines.append(f"    {op.op:<14} {op.name:<{width}}  {op.type}")
    if result.outputs:
        lines += ["", "Outputs:"]
        for key, value in sorted(result.outputs.items()):
            text = json.dumps(value, indent=4, sort_keys=True).replace("\n", "\n    ")
            lines.append(f"    {key}: {text}")
    if result.errors:
        lines += ["", "Diagnostics:"]
        for err in result.errors:
            lines.append(f"  {err.urn}")
            lines.append(f"    error: {err.message}")
            if show_traceback and err.details and err.details != err.message:
                lines.append("    " + err.details.rstrip().replace("\n", "\n    "))
    calls = ", ".join(result.provider_calls)
    lines += ["", f"Provider calls: {calls or 'none'}"]
    lines.append("" if result.ok else "The run failed.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run the program, print the result; exit 1 on failure."""
    parser = argparse.ArgumentParser(prog="python -m runner", description=__doc__)
    parser.add_argument("mode", choices=sorted(_TITLES))
    parser.add_argument("program_dir", type=Path)
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--config", "-c", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--secret", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--state", type=Path, help="checkpoint file read before and written after")
    parser.add_argument("--show-traceback", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the whole result as JSON")
    args = parser.parse_args(argv)

    try:
        result = run(
            args.program_dir,
            args.mode,
            config=_pairs(args.config, "--config"),
            secrets=_pairs(args.secret, "--secret"),
            stack=args.stack,
            state=_load_state(args.state),
        )
    except (RunnerError, _UsageError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.state and result.mode != "preview":
        args.state.write_text(json.dumps([vars(r) for r in result.state], indent=2))
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        if result.log.strip():
            print(result.log.rstrip())
        print(render(result, args.stack, args.show_traceback))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
