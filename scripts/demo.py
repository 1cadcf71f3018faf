"""The main job, with no cloud account and no Pulumi CLI (`make demo`).

Starts the bundled ECS emulator with its sample data, runs the default program (`__main__.py`)
in preview and then up through the runner (the Pulumi SDK's mock monitor and the real
dynamic-provider host), prints the stack outputs, and stops the emulator. Exits non-zero with a
message if any step fails.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET  # noqa: E402
from runner import RunnerError, run  # noqa: E402
from runner.__main__ import render  # noqa: E402

SAMPLE_DATA = ROOT / "emulator" / "data" / "sample.json"
REGION = "cn-hangzhou"
START_TIMEOUT_SECONDS = 30.0


def start_emulator() -> tuple[subprocess.Popen[str], str]:
    """Start `python -m emulator` on a free loopback port; return it and its base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", "--data", str(SAMPLE_DATA)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], START_TIMEOUT_SECONDS)
    url = proc.stdout.readline().strip() if ready else ""
    if not url.startswith("http://127.0.0.1:"):
        proc.terminate()
        proc.wait(timeout=10)
        raise SystemExit(f"demo failed: the emulator did not start (it printed {url!r})")
    return proc, url


def main() -> int:
    """Run the demo; return the process exit code."""
    emulator, url = start_emulator()
    print(f"ECS emulator with {SAMPLE_DATA.relative_to(ROOT)} at {url}\n")
    config = {
        "alicloud:region": REGION,
        "alicloud:endpoints": json.dumps([{"ecs": url}]),
        "alicloud:accessKey": DEFAULT_ACCESS_KEY_ID,
    }
    secrets = {"alicloud:secretKey": DEFAULT_ACCESS_KEY_SECRET}
    # The user's own Alibaba Cloud settings must not leak into a demo against the emulator.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "ALICLOUD_"))}
    try:
        state = []
        for mode in ("preview", "up"):
            result = run(ROOT, mode, config=config, secrets=secrets, state=state, env=env)
            print(render(result, "dev"))
            if not result.ok:
                print(f"demo failed: the {mode} reported errors (above)", file=sys.stderr)
                return 1
            state = result.state
    except RunnerError as err:
        print(f"demo failed: {err}", file=sys.stderr)
        return 1
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)
    print("Demo complete: the lookups ran in preview and in up against the local emulator.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
