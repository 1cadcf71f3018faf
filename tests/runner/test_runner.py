"""The runner's own mechanics, with a toy dynamic provider (no ECS, no emulator).

Each test runs the program in `programs/toy` through the real provider host, so what is checked
here is the engine behaviour the lifecycle tests rely on.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from runner import UNKNOWN_OUTPUT, RunnerError, run
from runner._host import _summarize_traceback

TOY = Path(__file__).parent / "programs" / "toy"
CONFIG = {"toy:greeting": "hello"}


def test_preview_reads_with_known_values_and_defers_unknown_ids() -> None:
    result = run(TOY, "preview", config=CONFIG)
    assert result.ok, result.errors
    assert result.ops() == {"read-me": "read", "make-me": "create", "read-later": "read-deferred"}
    assert result.outputs["read_double"] == 6
    assert result.outputs["read_greeting"] == "hello"  # configure() got the stack config
    assert result.outputs["made_how"] == UNKNOWN_OUTPUT  # create does not run in preview
    assert result.outputs["later_double"] == UNKNOWN_OUTPUT
    assert result.provider_calls == ["Configure", "Read", "Check"]
    assert result.state == []  # a preview writes no checkpoint


def test_up_then_up_again_creates_once_and_reads_every_time() -> None:
    first = run(TOY, "up", config=CONFIG)
    assert first.ok, first.errors
    assert first.ops() == {"read-me": "read", "make-me": "create", "read-later": "read"}
    assert first.outputs["made_how"] == "create"
    assert first.outputs["later_double"] == 22  # read after its input became known

    second = run(TOY, "up", config={**CONFIG, "toy:n": "4"}, state=first.state)
    assert second.ok, second.errors
    assert second.ops() == {"read-me": "read", "make-me": "same", "read-later": "read"}
    assert second.outputs["read_double"] == 8
    assert second.provider_calls.count("Create") == 0


def test_refresh_and_destroy_use_the_checkpoint() -> None:
    up = run(TOY, "up", config=CONFIG)
    refreshed = run(TOY, "refresh", config={"toy:greeting": "again"}, state=up.state)
    assert refreshed.ok, refreshed.errors
    assert set(refreshed.ops().values()) == {"refresh"}
    by_name = {r.name: r for r in refreshed.state}
    assert by_name["read-me"].outputs["greeting"] == "again"

    destroyed = run(TOY, "destroy", config=CONFIG, state=refreshed.state)
    assert destroyed.ok, destroyed.errors
    assert destroyed.ops() == {"read-me": "forget", "read-later": "forget", "make-me": "delete"}
    assert destroyed.provider_calls == ["Configure", "Delete"]
    assert destroyed.state == []


def test_check_failure_names_the_property_and_stops_before_create() -> None:
    result = run(TOY, "up", config={**CONFIG, "toy:made": "-1"})
    assert not result.ok
    [error] = result.errors
    assert error.failures == [{"property": "n", "reason": "n must be >= 0, got -1"}]
    assert "make-me" in error.message and "property n" in error.message
    assert "Create" not in result.provider_calls


def test_provider_error_is_shown_without_traceback_but_kept_in_details() -> None:
    result = run(TOY, "preview", config={**CONFIG, "toy:n": "99"})
    assert not result.ok
    [error] = result.errors
    assert error.message == "ValueError: the toy cannot read n=99"
    assert "Traceback" in error.details and "toyprov.py" in error.details


def test_secrets_stay_secret_in_outputs_and_state() -> None:
    result = run(TOY, "up", config=CONFIG)
    assert result.outputs["secret_value"] == "[secret]"
    assert "s3cr3t" not in json.dumps(result.outputs)
    provider_fields = [r.outputs["__provider"] for r in result.state if r.dynamic]
    assert provider_fields and all(isinstance(p, dict) for p in provider_fields)  # envelopes


def test_not_a_program_directory_is_a_runner_error(tmp_path: Path) -> None:
    with pytest.raises(RunnerError, match=r"no Pulumi\.yaml"):
        run(tmp_path, "preview")


def test_cli_exit_codes_and_output(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "runner",
            "up",
            str(TOY),
            "-c",
            "toy:greeting=hi",
            "--state",
            str(state),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "Outputs:" in ok.stdout and '"hi"' in ok.stdout
    assert json.loads(state.read_text())  # the checkpoint was written

    bad = subprocess.run(
        [sys.executable, "-m", "runner", "preview", str(TOY), "-c", "toy:n=99"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 1
    assert "error: ValueError: the toy cannot read n=99" in bad.stdout
    assert "Traceback" not in bad.stdout


def test_summarize_traceback_keeps_multiline_exception_text() -> None:
    details = (
        "Traceback (most recent call last):\n"
        '  File "/x/y.py", line 3, in f\n'
        "    raise E('a')\n"
        "provider._errors.ApiError: DescribeTags failed\n  code: Throttling\n"
    )
    assert _summarize_traceback(details) == (
        "provider._errors.ApiError: DescribeTags failed\n  code: Throttling"
    )


def test_cli_usage_errors_exit_2_with_a_message(tmp_path: Path) -> None:
    bad_state = tmp_path / "state.json"
    bad_state.write_text("{not json")
    for extra in (["-c", "no-equals-sign"], ["--state", str(bad_state)]):
        proc = subprocess.run(
            [sys.executable, "-m", "runner", "preview", str(TOY), *extra],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr
