"""A dynamic provider that records nothing and echoes what the engine sent it.

Its outputs show which operation produced them and what `configure` received, so the runner's
tests can check each engine step without the ECS provider or the emulator.
"""

from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, ReadResult, ResourceProvider


class ToyProvider(ResourceProvider):
    def configure(self, req: Any) -> None:
        self._greeting = req.config.get("toy:greeting")

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = []
        if isinstance(news.get("n"), (int, float)) and news["n"] < 0:
            failures.append(CheckFailure("n", f"n must be >= 0, got {int(news['n'])}"))
        return CheckResult(news, failures)

    def _outs(self, props: dict[str, Any], how: str) -> dict[str, Any]:
        outs = {k: v for k, v in props.items() if k != "__provider"}
        return {**outs, "how": how, "greeting": self._greeting, "double": outs.get("n", 0) * 2}

    def read(self, id: str, props: dict[str, Any]) -> ReadResult:
        if props.get("n") == 99:
            raise ValueError("the toy cannot read n=99")
        return ReadResult(id, self._outs(props, "read"))

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult("toy-created", self._outs(props, "create"))


class Toy(pulumi.dynamic.Resource):
    how: pulumi.Output[str]
    greeting: pulumi.Output[str]
    double: pulumi.Output[float]

    def __init__(self, name: str, n: Any, read: bool = True) -> None:
        opts = None
        if read:
            ident = pulumi.Output.from_input(n).apply(lambda v: f"toy-{v}")
            opts = pulumi.ResourceOptions(id=ident)
        props = {"n": n, "how": None, "greeting": None, "double": None}
        super().__init__(ToyProvider(), name, props, opts)
