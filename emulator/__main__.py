"""``python -m emulator``: serve a data file until SIGINT/SIGTERM.

The first line on stdout is exactly the base URL (``http://127.0.0.1:PORT``).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from emulator import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCESS_KEY_SECRET,
    Backend,
    Credential,
    DataFileError,
    Emulator,
)


def _access_key(text: str) -> Credential:
    key_id, sep, rest = text.partition(":")
    if not sep or not key_id or not rest:
        raise argparse.ArgumentTypeError(f"expected ID:SECRET or ID:SECRET:ACCOUNT, got {text!r}")
    secret, _, account = rest.partition(":")
    if not secret:
        raise argparse.ArgumentTypeError(f"expected ID:SECRET, got {text!r}")
    return Credential(key_id, secret, account_id=account or "default")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m emulator",
        description="A local ECS endpoint for DescribeTags (signature V3 and V1).",
        epilog=(
            f"Without --access-key the emulator accepts {DEFAULT_ACCESS_KEY_ID}:"
            f"{DEFAULT_ACCESS_KEY_SECRET}. The first stdout line is the base URL."
        ),
    )
    parser.add_argument("--data", required=True, help="JSON data file (see the README schema)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind (default 0: any free)")
    parser.add_argument(
        "--access-key",
        action="append",
        type=_access_key,
        default=[],
        metavar="ID:SECRET[:ACCOUNT]",
        help="an accepted access key pair (repeatable); replaces the default pair",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Serve the data file until SIGINT/SIGTERM; return the exit code (2 for bad arguments)."""
    args = _parser().parse_args(argv)
    try:
        backend = Backend.from_file(args.data)
    except DataFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    emulator = Emulator(
        backend, credentials=args.access_key or None, host=args.host, port=args.port
    )
    try:
        emulator.start()
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    print(emulator.url, flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
