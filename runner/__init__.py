"""Run Pulumi programs as the engine does, without the Pulumi CLI.

The program runs in a child process under the Pulumi SDK's mock monitor; every operation on a
dynamic resource is forwarded over gRPC to the SDK's real dynamic-provider host
(`python -u -m pulumi.dynamic`, started in the program directory): `Configure` with the stack
config, `Read` for resources constructed with an id (also in preview), `Check` and, in an
update, `Create` / `Diff` / `Update` for the others; `refresh` and `destroy` work on the state
of an earlier run.

    from runner import run
    result = run("examples/required-tags", "preview", config={"alicloud:region": "cn-hangzhou"})
    result.ok, result.outputs, result.ops(), result.errors
"""

from ._api import RUN_TIMEOUT_SECONDS, RunnerError, load_project, load_stack_config, run
from ._host import CheckFailure, HostError, ProviderHost
from ._model import Diagnostic, Mode, Op, Operation, ResourceState, RunResult
from ._wire import SECRET_OUTPUT, UNKNOWN_OUTPUT

__all__ = [
    "RUN_TIMEOUT_SECONDS",
    "SECRET_OUTPUT",
    "UNKNOWN_OUTPUT",
    "CheckFailure",
    "Diagnostic",
    "HostError",
    "Mode",
    "Op",
    "Operation",
    "ProviderHost",
    "ResourceState",
    "RunResult",
    "RunnerError",
    "load_project",
    "load_stack_config",
    "run",
]
