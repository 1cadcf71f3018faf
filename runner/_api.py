"""Run a Pulumi program directory in a child process, as the CLI runs its language host.

Each run gets a fresh interpreter (the program's module-level state and the Pulumi runtime's
globals start clean, as they do under the CLI) and a fresh provider host.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ._model import Mode, ResourceState, RunResult

#: A run that takes longer than this is stopped and reported as failed, so nothing hangs.
RUN_TIMEOUT_SECONDS = 600.0
_RUNNER_ROOT = Path(__file__).resolve().parent.parent


class RunnerError(Exception):
    """The runner itself could not run the program (bad directory, crashed child, time-out)."""


def load_project(program_dir: Path) -> str:
    """The project name from `Pulumi.yaml`, which must exist as it must for the CLI."""
    path = program_dir / "Pulumi.yaml"
    if not path.is_file():
        raise RunnerError(f"{program_dir} is not a Pulumi program: it has no Pulumi.yaml")
    data = yaml.safe_load(path.read_text()) or {}
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise RunnerError(f"{path} has no project name")
    return name


def load_stack_config(program_dir: Path, project: str, stack: str) -> dict[str, str]:
    """Plain values from `Pulumi.<stack>.yaml`; bare keys get the project namespace."""
    path = program_dir / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        return {}
    data = (yaml.safe_load(path.read_text()) or {}).get("config") or {}
    config: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, dict) and "secure" in value:
            raise RunnerError(f"{path}: {key} is encrypted; pass it with --secret instead")
        full_key = key if ":" in key else f"{project}:{key}"
        config[full_key] = value if isinstance(value, str) else json.dumps(value)
    return config


def run(
    program_dir: str | os.PathLike[str],
    mode: Mode,
    *,
    config: Mapping[str, str] | None = None,
    secrets: Mapping[str, str] | None = None,
    stack: str = "dev",
    state: list[ResourceState] | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = RUN_TIMEOUT_SECONDS,
) -> RunResult:
    """Run `mode` (preview, up, refresh or destroy) of the program in `program_dir`.

    `config` and `secrets` are stack config values (`namespace:key` or bare keys, which get the
    project's namespace); they override `Pulumi.<stack>.yaml`. `state` is the checkpoint of an
    earlier run (`RunResult.state`). `env` replaces the environment of the program and of the
    provider host (default: this process's environment).
    """
    directory = Path(program_dir).resolve()
    project = load_project(directory)
    merged = load_stack_config(directory, project, stack)

    def qualify(key: str) -> str:
        return key if ":" in key else f"{project}:{key}"

    merged.update({qualify(k): v for k, v in (config or {}).items()})
    merged.update({qualify(k): v for k, v in (secrets or {}).items()})
    job: dict[str, Any] = {
        "program_dir": str(directory),
        "mode": mode,
        "config": merged,
        "secret_keys": sorted(qualify(k) for k in (secrets or {})),
        "project": project,
        "stack": stack,
        "state": [vars(r) for r in state or []],
    }
    child_env = dict(os.environ if env is None else env)
    # Only the child needs to import the runner; the provider host it starts gets no PYTHONPATH.
    child_env["PYTHONPATH"] = str(_RUNNER_ROOT)
    child_env["PULUMI_PROJECT"] = project
    with tempfile.TemporaryDirectory(prefix="runner-") as tmp:
        result_file = Path(tmp) / "result.json"
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "runner._child", str(result_file)],
                input=json.dumps(job),
                capture_output=True,
                text=True,
                cwd=directory,
                env=child_env,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise RunnerError(f"{mode} of {directory} did not finish in {timeout:.0f}s") from exc
        if not result_file.exists():
            raise RunnerError(
                f"{mode} of {directory} crashed (exit {proc.returncode}):\n{proc.stderr.strip()}"
            )
        result = RunResult.from_json(json.loads(result_file.read_text()))
    result.log = "".join(part for part in (proc.stdout, proc.stderr, result.log) if part)
    return result
