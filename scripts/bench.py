"""Benchmarks of the EcsTags lookup against the local ECS emulator (`make bench`).

Prints one Markdown table; every figure is measured in the same run, next to the baseline it is
compared with, against an in-process emulator on 127.0.0.1 (nothing leaves the loopback).

Rows:

* **Requests per lookup, N pairs** (N = 0, 1, 99, 100, 101, 10,000 distinct key/value pairs):
  DescribeTags requests the emulator logged for one full lookup (``DescribeTagsProvider.read``
  in-process, no page given), with the default paging verification (pages k-1..1 read again)
  and with ``ecsTags:verifyPaging=false`` (one pass), against the minimum ``ceil(N / 100)``
  requests (1 when N = 0, as one request is needed to learn that there is nothing). The
  lookup's result is checked to hold exactly the N pairs.
* **Provider read of 10,000 pairs**: wall time of ``DescribeTagsProvider.read`` (in-process,
  configured, client warm, ``verifyPaging=false`` so that both sides read the same pages)
  against a bare loop of ``Client.describe_tags`` calls of the official SDK over the same 100
  pages of 100. Runs alternate; the figure is the median of the per-run ratios provider/bare
  (1.00 = no overhead). The emulator's own time per page is in both.
* **Cold start**: from spawning the real dynamic-provider host (``python -u -m pulumi.dynamic``)
  to its first get-``Read`` answered (start + ``Configure`` + ``Read``, which deserializes the
  provider, imports the SDK and makes one request), against a bare interpreter
  (``python -c ...``) that imports the SDK and makes one DescribeTags call, to exit. Ratio of the
  medians host/bare.
* **200 lookups, 4 concurrent**: 200 get-``Read`` calls through one running host, from a pool of
  four threads, against the same 200 one after another, with the emulator adding a fixed
  latency to every request (a ``latency`` fault). Speed-up = sequential time / concurrent time
  (the host serves at most four calls at once; 4.0 would be perfect overlap). Every answer is
  checked.

Options: ``--quick`` (fewer repeats), ``--json FILE`` (also write the raw figures).
Absolute times depend on the machine; the ratios are what the table is for.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pulumi.dynamic import Config, ConfigureRequest  # noqa: E402
from pulumi.dynamic.dynamic import serialize_provider  # noqa: E402
from pulumi.runtime import rpc  # noqa: E402

from emulator import (  # noqa: E402
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCESS_KEY_SECRET,
    Backend,
    Emulator,
    Fault,
)
from provider import DescribeTagsProvider, query_id  # noqa: E402
from runner import ProviderHost  # noqa: E402
from runner._wire import serialize  # noqa: E402

PAGE_SIZE = 100
SIZES = (0, 1, 99, 100, 101, 10_000)
BIG = 10_000
#: Tags per resource when building a backend (the ECS limit is 20 per resource).
TAGS_PER_RESOURCE = 20
#: One region per size, so each lookup only sees its own pairs.
REGION_FOR_SIZE = {
    0: "cn-beijing",
    1: "cn-shanghai",
    99: "cn-shenzhen",
    100: "cn-qingdao",
    101: "cn-chengdu",
    10_000: "cn-hangzhou",
}
#: Small data for cold start and the concurrent lookups: one request per lookup.
SMALL_REGION = REGION_FOR_SIZE[1]
LOOKUPS = 200
WORKERS = 4
LATENCY_SECONDS = 0.020
#: Enough latency faults for every request of the concurrency figure (cleared afterwards).
LATENCY_FAULT_COUNT = 100_000
URN = "urn:pulumi:bench::bench::pulumi-python:dynamic/alicloud:EcsTags::bench"
#: Bound on the bare interpreter of the cold-start figure.
SUBPROCESS_TIMEOUT_SECONDS = 120.0
_ENV_PREFIXES = ("ALICLOUD_", "ALIBABA_CLOUD_")

_BARE_CALL = """
import os, sys
from alibabacloud_ecs20140526 import models
from alibabacloud_ecs20140526.client import Client
from alibabacloud_tea_openapi.utils_models import Config
client = Client(Config(
    access_key_id=os.environ["BENCH_KEY_ID"], access_key_secret=os.environ["BENCH_KEY_SECRET"],
    endpoint=os.environ["BENCH_ENDPOINT"], protocol="http", region_id=os.environ["BENCH_REGION"],
))
body = client.describe_tags(models.DescribeTagsRequest(region_id=os.environ["BENCH_REGION"])).body
sys.exit(0 if body.total_count == 1 else 3)
"""


@dataclass
class Figures:
    """Raw figures of one run (what ``--json`` writes)."""

    python: str
    cpus: int | None
    platform: str
    quick: bool
    requests: dict[str, dict[str, int]] = field(default_factory=dict)
    read_provider_s: list[float] = field(default_factory=list)
    read_bare_s: list[float] = field(default_factory=list)
    read_ratios: list[float] = field(default_factory=list)
    read_provider_requests: int = 0
    read_bare_requests: int = 0
    cold_host_s: list[float] = field(default_factory=list)
    cold_bare_s: list[float] = field(default_factory=list)
    concurrent_s: float = 0.0
    sequential_s: float = 0.0
    latency_s: float = LATENCY_SECONDS
    lookups: int = LOOKUPS
    workers: int = WORKERS


def clean_env() -> dict[str, str]:
    """The environment without the user's Alibaba Cloud settings (they must not apply here)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(_ENV_PREFIXES)}


def build_backend() -> Backend:
    """One region per size in ``SIZES``, holding exactly that many distinct tag pairs."""
    backend = Backend()
    for size, region in REGION_FOR_SIZE.items():
        backend.add_region(region)
        for first in range(0, size, TAGS_PER_RESOURCE):
            tags = {
                f"key-{i:05d}": f"value-{i:05d}"
                for i in range(first, min(size, first + TAGS_PER_RESOURCE))
            }
            backend.add_resource(
                region_id=region,
                resource_type="instance",
                resource_id=f"i-bench{size}x{first:05d}",
                tags=tags,
            )
    return backend


def provider_config(emu: Emulator, verify_paging: bool = True) -> dict[str, str]:
    """Stack config aiming the provider at ``emu`` with its default credentials."""
    return {
        "alicloud:region": SMALL_REGION,
        "alicloud:endpoints": json.dumps([{"ecs": emu.url}]),
        "alicloud:accessKey": DEFAULT_ACCESS_KEY_ID,
        "alicloud:secretKey": DEFAULT_ACCESS_KEY_SECRET,
        "ecsTags:verifyPaging": str(verify_paging).lower(),
    }


def configured_provider(emu: Emulator, verify_paging: bool = True) -> DescribeTagsProvider:
    """A provider configured as the dynamic host configures it."""
    provider = DescribeTagsProvider()
    config = Config(raw_config=provider_config(emu, verify_paging), project_name="bench")
    provider.configure(ConfigureRequest(config))
    return provider


def provider_read(provider: DescribeTagsProvider, region: str) -> dict[str, Any]:
    """One full lookup of every pair in ``region``; returns the outputs."""
    result = provider.read("bench", {"__provider": "in-process", "region_id": region})
    if result.outs is None:
        raise RuntimeError("the provider returned no outputs")
    return dict(result.outs)


def describe_tag_requests(emu: Emulator) -> int:
    """DescribeTags requests logged since the last ``clear_requests``."""
    return sum(1 for r in emu.requests if r.action == "DescribeTags")


def measure_requests(
    emu: Emulator, providers: Mapping[str, DescribeTagsProvider], figures: Figures
) -> None:
    """Requests per lookup for every size and paging mode, against ceil(N/100)."""
    for size in SIZES:
        counts = {"minimum": max(1, math.ceil(size / PAGE_SIZE))}
        for mode, provider in providers.items():
            emu.clear_requests()
            outs = provider_read(provider, REGION_FOR_SIZE[size])
            if outs["total_count"] != size or len(outs["tags"]) != size:
                raise RuntimeError(f"N={size}: the lookup returned {len(outs['tags'])} pairs")
            errors = [r for r in emu.requests if r.status != 200]
            if errors:
                raise RuntimeError(f"N={size}: {len(errors)} requests failed")
            counts[mode] = describe_tag_requests(emu)
        figures.requests[str(size)] = counts


def bare_sdk_client(emu: Emulator) -> Any:
    """The official SDK's client, configured directly (no provider code in between)."""
    from alibabacloud_ecs20140526.client import Client  # type: ignore[import-untyped,unused-ignore]

    return Client(emu.sdk_config(region_id=REGION_FOR_SIZE[BIG]))


def bare_loop(client: Any, region: str, total: int) -> int:
    """DescribeTags over every page of ``region`` with the SDK alone; returns the pair count."""
    from alibabacloud_ecs20140526 import models  # type: ignore[import-untyped,unused-ignore]

    pairs = 0
    for number in range(1, max(1, math.ceil(total / PAGE_SIZE)) + 1):
        request = models.DescribeTagsRequest(
            region_id=region, page_number=number, page_size=PAGE_SIZE
        )
        pairs += len(client.describe_tags(request).body.tags.tag)
    return pairs


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """(seconds, result) of one call."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def measure_read(
    emu: Emulator, provider: DescribeTagsProvider, runs: int, figures: Figures
) -> None:
    """Provider read of 10,000 pairs against the bare SDK loop, alternating, ``runs`` times."""
    region = REGION_FOR_SIZE[BIG]
    client = bare_sdk_client(emu)
    # Warm both paths once (imports, connection pools); not counted.
    bare_loop(client, region, BIG)
    provider_read(provider, region)
    for run in range(runs):
        order = ("provider", "bare") if run % 2 == 0 else ("bare", "provider")
        seconds: dict[str, float] = {}
        for which in order:
            emu.clear_requests()
            if which == "provider":
                seconds[which], outs = timed(lambda: provider_read(provider, region))
                count = len(outs["tags"])
                figures.read_provider_requests = describe_tag_requests(emu)
            else:
                seconds[which], count = timed(lambda: bare_loop(client, region, BIG))
                figures.read_bare_requests = describe_tag_requests(emu)
            if count != BIG:
                raise RuntimeError(f"{which}: got {count} pairs, expected {BIG}")
        figures.read_provider_s.append(seconds["provider"])
        figures.read_bare_s.append(seconds["bare"])
        figures.read_ratios.append(seconds["provider"] / seconds["bare"])


def get_inputs(blob: str, region: str) -> dict[str, Any]:
    """The inputs of a get of every pair in ``region``, as the engine sends them."""
    return {"__provider": blob, "region_id": region}


def cold_host(emu: Emulator, blob: str) -> float:
    """Seconds from spawning the host to its first get-``Read`` answered."""
    inputs = get_inputs(blob, SMALL_REGION)
    id_ = query_id(inputs)
    struct = serialize(inputs)
    host = ProviderHost(ROOT, env=clean_env())
    start = time.perf_counter()
    try:
        host.start()
        host.configure(provider_config(emu))
        _, props = host.read(id_, URN, inputs=struct)
        elapsed = time.perf_counter() - start
    finally:
        host.close()
    if rpc.deserialize_properties(props)["total_count"] != 1:
        raise RuntimeError("cold start: the host's Read returned the wrong result")
    return elapsed


def cold_bare(emu: Emulator) -> float:
    """Seconds for a fresh interpreter to import the SDK, make one DescribeTags call, and exit."""
    env = clean_env()
    env.update(
        BENCH_KEY_ID=DEFAULT_ACCESS_KEY_ID,
        BENCH_KEY_SECRET=DEFAULT_ACCESS_KEY_SECRET,
        BENCH_ENDPOINT=emu.endpoint,
        BENCH_REGION=SMALL_REGION,
    )
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _BARE_CALL],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT_SECONDS,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"cold start: the bare interpreter failed:\n{proc.stderr}")
    return elapsed


def measure_cold_start(emu: Emulator, blob: str, runs: int, figures: Figures) -> None:
    """Host cold start against a bare SDK interpreter, alternating, ``runs`` times each."""
    for run in range(runs):
        if run % 2 == 0:
            figures.cold_host_s.append(cold_host(emu, blob))
            figures.cold_bare_s.append(cold_bare(emu))
        else:
            figures.cold_bare_s.append(cold_bare(emu))
            figures.cold_host_s.append(cold_host(emu, blob))


def measure_concurrency(emu: Emulator, blob: str, figures: Figures) -> None:
    """200 lookups through one host: four at a time against one after another."""
    inputs = get_inputs(blob, SMALL_REGION)
    id_ = query_id(inputs)
    struct = serialize(inputs)
    with ProviderHost(ROOT, env=clean_env()) as host:
        host.configure(provider_config(emu))

        def lookup(_index: int) -> int:
            _, props = host.read(id_, URN, inputs=struct)
            return int(rpc.deserialize_properties(props)["total_count"])

        lookup(0)  # warm: provider deserialized and configured, SDK imported, client built
        emu.add_fault(Fault("latency", count=LATENCY_FAULT_COUNT, delay=LATENCY_SECONDS))
        try:
            emu.clear_requests()
            figures.sequential_s, totals = timed(lambda: [lookup(i) for i in range(LOOKUPS)])
            with ThreadPoolExecutor(max_workers=WORKERS) as pool:
                figures.concurrent_s, more = timed(lambda: list(pool.map(lookup, range(LOOKUPS))))
        finally:
            emu.clear_faults()
    if totals + more != [1] * (2 * LOOKUPS):
        raise RuntimeError("concurrency: some lookups returned the wrong result")
    if describe_tag_requests(emu) != 2 * LOOKUPS:
        raise RuntimeError(f"concurrency: {describe_tag_requests(emu)} requests, expected 400")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def _requests(count: int) -> str:
    return f"{count} request" + ("" if count == 1 else "s")


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def render(figures: Figures, repeats: Mapping[str, int]) -> str:
    """The header line and the Markdown table."""
    rows = [
        "| Figure | Measured | Baseline | Result |",
        "|---|---:|---:|---:|",
    ]
    for size, counts in figures.requests.items():
        minimum = counts["minimum"]
        rows.append(
            f"| Requests per lookup, N = {int(size):,} pairs "
            f"| {_requests(counts['verified'])} (default) / {counts['single_pass']} "
            f"(verifyPaging=false) | minimum ceil(N/100) = {minimum} "
            f"| {counts['verified'] / minimum:.2f}x / {counts['single_pass'] / minimum:.2f}x |"
        )
    provider_s = statistics.median(figures.read_provider_s)
    bare_s = statistics.median(figures.read_bare_s)
    per_request = (provider_s / max(1, figures.read_provider_requests)) / (
        bare_s / max(1, figures.read_bare_requests)
    )
    rows.append(
        f"| Provider read of {BIG:,} pairs (median of {repeats['read']}) "
        f"| {_ms(provider_s)}, {_requests(figures.read_provider_requests)} "
        f"| bare SDK loop: {_ms(bare_s)}, {_requests(figures.read_bare_requests)} "
        f"| {statistics.median(figures.read_ratios):.2f}x (median ratio); "
        f"{per_request:.2f}x per request |"
    )
    host = statistics.median(figures.cold_host_s)
    bare = statistics.median(figures.cold_bare_s)
    rows.append(
        f"| Cold start: host spawned to first get-Read answered (median of {repeats['cold']}) "
        f"| {_s(host)} | bare interpreter, SDK import + 1 call: {_s(bare)} "
        f"| {host / bare:.2f}x |"
    )
    rows.append(
        f"| {LOOKUPS} lookups through the host, {WORKERS} concurrent "
        f"({figures.latency_s * 1000:.0f} ms latency per request) "
        f"| {_s(figures.concurrent_s)} | sequential: {_s(figures.sequential_s)} "
        f"| {figures.sequential_s / figures.concurrent_s:.2f}x speed-up |"
    )
    header = (
        f"EcsTags benchmarks: Python {figures.python}, {figures.cpus} CPUs, {figures.platform}"
        f"{' (--quick)' if figures.quick else ''}"
    )
    return header + "\n\n" + "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Run every figure and print the table; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the raw figures")
    args = parser.parse_args(argv)
    repeats = {"read": 3, "cold": 2} if args.quick else {"read": 5, "cold": 3}

    # The in-process provider must see only the stack config given here.
    for name in list(os.environ):
        if name.startswith(_ENV_PREFIXES):
            del os.environ[name]

    figures = Figures(
        python=platform.python_version(),
        cpus=os.cpu_count(),
        platform=f"{platform.system()} {platform.machine()}",
        quick=args.quick,
    )
    emu = Emulator(backend=build_backend(), host="127.0.0.1", port=0)
    emu.start()
    try:
        providers = {
            "verified": configured_provider(emu),
            "single_pass": configured_provider(emu, verify_paging=False),
        }
        single_pass = providers["single_pass"]
        blob = serialize_provider(DescribeTagsProvider())
        steps: list[tuple[str, Callable[[], None]]] = [
            ("requests per lookup", lambda: measure_requests(emu, providers, figures)),
            ("provider read", lambda: measure_read(emu, single_pass, repeats["read"], figures)),
            ("cold start", lambda: measure_cold_start(emu, blob, repeats["cold"], figures)),
            ("concurrency", lambda: measure_concurrency(emu, blob, figures)),
        ]
        for name, step in steps:
            print(f"measuring {name} ...", file=sys.stderr, flush=True)
            step()
        emu.check()
    finally:
        emu.stop()

    print(render(figures, repeats))
    if args.json is not None:
        args.json.write_text(json.dumps(asdict(figures), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
