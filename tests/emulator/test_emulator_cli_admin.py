"""``python -m emulator`` in a subprocess, driven over the admin API with AdminClient."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator import SAMPLE_DATA, AdminClient, AdminError, Fault
from tests.emulator._wire import build_v1, build_v3, send

ROOT = Path(__file__).resolve().parents[2]


def start(*args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "emulator", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=30):
            proc.kill()
            proc.wait(timeout=10)
            raise AssertionError("the emulator printed nothing within 30 s")
    line = proc.stdout.readline()
    return proc, line


def stop(proc: subprocess.Popen[str], sig: int = signal.SIGTERM) -> int:
    proc.send_signal(sig)
    try:
        return proc.wait(timeout=15)
    finally:
        if proc.poll() is None:  # pragma: no cover - only when the test already failed
            proc.kill()
            proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc, line = start("--data", str(SAMPLE_DATA))
    try:
        yield proc, line
    finally:
        if proc.poll() is None:
            stop(proc)


@pytest.fixture
def admin(served: tuple[subprocess.Popen[str], str]) -> AdminClient:
    client = AdminClient(served[1].strip())
    client.reset()
    return client


def endpoint(admin: AdminClient) -> str:
    return admin.url.removeprefix("http://")


def test_first_line_is_exactly_the_base_url(served: tuple[subprocess.Popen[str], str]) -> None:
    _, line = served
    assert line.endswith("\n")
    url = line.rstrip("\n")
    assert url.startswith("http://127.0.0.1:")
    assert int(url.rsplit(":", 1)[1]) > 0
    assert url == url.strip() and "/" not in url.removeprefix("http://")


def test_sample_data_is_served_with_the_default_key(admin: AdminClient) -> None:
    answer = send(endpoint(admin), build_v3(endpoint(admin), {"RegionId": "ap-southeast-1"}))
    assert answer.status == 200 and answer.data["TotalCount"] > 0
    (record,) = admin.requests()
    assert (record.action, record.status, record.signature) == ("DescribeTags", 200, "v3")
    assert record.params == {"RegionId": "ap-southeast-1"}


def test_admin_requests_and_clear(admin: AdminClient) -> None:
    send(endpoint(admin), build_v1({"RegionId": "nowhere"}))
    (record,) = admin.requests()
    assert (record.error_code, record.status) == ("InvalidRegionId.NotFound", 404)
    admin.clear_requests()
    assert admin.requests() == []


def test_admin_resources(admin: AdminClient) -> None:
    admin.add_resource("cn-hangzhou", "instance", "i-admin", {"admin-only": "yes"})
    query = {"RegionId": "cn-hangzhou", "Tag.1.Key": "admin-only"}
    answer = send(endpoint(admin), build_v3(endpoint(admin), query))
    assert [t["TagValue"] for t in answer.data["Tags"]["Tag"]] == ["yes"]
    admin.set_tags("cn-hangzhou", "instance", "i-admin", {"admin-only": "changed"})
    answer = send(endpoint(admin), build_v3(endpoint(admin), query))
    assert [t["TagValue"] for t in answer.data["Tags"]["Tag"]] == ["changed"]
    admin.remove_resource("cn-hangzhou", "instance", "i-admin")
    assert send(endpoint(admin), build_v3(endpoint(admin), query)).data["TotalCount"] == 0
    with pytest.raises(AdminError) as info:
        admin.remove_resource("cn-hangzhou", "instance", "i-admin")
    assert info.value.status == 400 and "i-admin" in info.value.message
    with pytest.raises(AdminError):
        admin.add_resource("cn-hangzhou", "Instance", "i-x")


def test_admin_reset_restores_the_data_file(admin: AdminClient) -> None:
    before = admin.state()
    admin.add_resource("cn-hangzhou", "disk", "d-new", {"env": "tmp"})
    admin.add_fault(Fault("throttling"))
    assert admin.state() != before
    admin.reset()
    assert admin.state() == before
    assert admin.faults() == [] and admin.requests() == []


def test_admin_faults(admin: AdminClient) -> None:
    admin.add_fault(Fault("server_error", count=2, status=503))
    assert admin.faults() == [Fault("server_error", count=2, status=503)]
    codes = [send(endpoint(admin), build_v1({"RegionId": "cn-hangzhou"})).code for _ in range(3)]
    assert codes == ["ServiceUnavailable", "ServiceUnavailable", None]
    admin.add_fault(Fault("drop"))
    admin.clear_faults()
    assert admin.faults() == []


def test_admin_load_state(admin: AdminClient) -> None:
    admin.load(
        {
            "accounts": {
                "default": {
                    "regions": {
                        "cn-beijing": [{"type": "eni", "id": "eni-1", "tags": {"net": "a"}}]
                    }
                }
            }
        }
    )
    answer = send(endpoint(admin), build_v3(endpoint(admin), {"RegionId": "cn-beijing"}))
    assert answer.data["Tags"]["Tag"][0]["ResourceTypeCount"]["Eni"] == 1
    with pytest.raises(AdminError, match="resource type"):
        bad = [{"type": "vpc", "id": "v"}]
        admin.load({"accounts": {"default": {"regions": {"cn-beijing": bad}}}})


def test_admin_unknown_route_and_bad_body(admin: AdminClient) -> None:
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{admin.url}/_emulator/nothing", timeout=10)
    assert info.value.code == 404
    info.value.close()
    request = urllib.request.Request(f"{admin.url}/_emulator/faults", data=b"{", method="POST")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=10)
    assert info.value.code == 400 and "JSON" in json.loads(info.value.read())["error"]
    info.value.close()


def test_sigterm_exits_cleanly() -> None:
    proc, line = start("--data", str(SAMPLE_DATA), "--host", "127.0.0.1")
    assert AdminClient(line.strip()).health()
    assert stop(proc, signal.SIGTERM) == 0


def test_sigint_exits_cleanly_and_access_keys_replace_the_default(tmp_path: Path) -> None:
    data = tmp_path / "data.json"
    data.write_text(
        json.dumps(
            {
                "accounts": {
                    "acct-9": {
                        "regions": {
                            "cn-shanghai": [
                                {"type": "instance", "id": "i-9", "tags": {"who": "nine"}}
                            ]
                        }
                    }
                }
            }
        )
    )
    proc, line = start("--data", str(data), "--access-key", "AK9:SK9:acct-9", "--port", "0")
    try:
        host = line.strip().removeprefix("http://")
        ok = send(host, build_v3(host, {"RegionId": "cn-shanghai"}, key_id="AK9", secret="SK9"))
        assert [t["TagValue"] for t in ok.data["Tags"]["Tag"]] == ["nine"]
        default = send(host, build_v3(host, {"RegionId": "cn-shanghai"}))
        assert default.code == "InvalidAccessKeyId.NotFound"
    finally:
        assert stop(proc, signal.SIGINT) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"accounts": {"default": {"regions": {"mars-1": []}}}}', "unknown region 'mars-1'"),
        ('{"accounts": []}', '"accounts" must be an object'),
    ],
)
def test_bad_data_file_is_a_clear_error(tmp_path: Path, content: str, message: str) -> None:
    data = tmp_path / "bad.json"
    data.write_text(content)
    result = subprocess.run(
        [sys.executable, "-m", "emulator", "--data", str(data)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 2 and result.stdout == ""
    assert message in result.stderr and str(data) in result.stderr


def test_missing_data_file(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "emulator", "--data", str(tmp_path / "none.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2 and "cannot read data file" in result.stderr
