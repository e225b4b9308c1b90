"""Child processes forked from an interpreter that has already imported the app.

A new Python process that imports the app spends about 3.5 s of CPU on imports before it serves
(a queue worker of tests.procs about 1.6 s), and the tests start many of them. A `Forker` is
one process that imports those modules once and then forks each child on request; every server of
tests.live.LiveServer, every queue worker of tests.procs, every kiosk agent and every command run
to its end (`run_to_end`) is forked from the test process's `shared_forker()`.
Each child is still an OS process of its own (its own pid, memory, database connections and event
loop; signals and exit status as usual) and runs the same command line from its `__main__`:
`python -m MODULE ARGS` or a script such as the `saduak` console script. Only the imports are
already done.

    forker = Forker(["saduak.cli", "tests.procs"])
    process = forker.spawn([sys.executable, "-m", "tests.procs", ...], cwd=..., env=..., log=...)
    process.wait(timeout=30)        # Popen's interface: pid, poll, wait, returncode, kill...
    forker.close()

The forker imports nothing else and opens no connection, so a child inherits no socket or thread.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import io
import itertools
import json
import os
import runpy
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parent.parent


class Forker:
    """A process with `preload` imported that forks children running given command lines."""

    def __init__(self, preload: Sequence[str]) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="saduak-forker-"))
        self._numbers = itertools.count()
        self._lock = threading.Lock()
        self._log = self._folder / "forker.log"
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-c", "import tests.prefork as p; p._serve()", *preload],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
            )
        # Imports take seconds: the caller goes on (seeding a database...) meanwhile, and the
        # first spawn waits for them.
        self._ready = False

    def spawn(
        self,
        command: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str],
        log: Path,
        append: bool = True,
    ) -> Forked:
        """Run `command` ([sys.executable, "-m", module, ...] or [script, ...]) in a new child,
        in `cwd` with exactly `env`, its stdin empty and its output into `log`."""
        if command[0] == sys.executable:
            assert command[1] == "-m", command
        rc = self._folder / f"{next(self._numbers)}.rc"
        request = {
            "command": list(command),
            "cwd": str(cwd),
            "env": dict(env),
            "log": str(log),
            "append": append,
            "rc": str(rc),
        }
        assert self._process.stdin is not None and self._process.stdout is not None
        with self._lock:
            if not self._ready:
                ready = self._process.stdout.readline()
                if ready != b"ready\n":
                    raise RuntimeError(f"the forker did not start:\n{self._log.read_text()}")
                self._ready = True
            self._process.stdin.write(json.dumps(request).encode() + b"\n")
            self._process.stdin.flush()
            answer = self._process.stdout.readline()
        if not answer.strip().isdigit():
            raise RuntimeError(f"the forker did not fork:\n{self._log.read_text()}")
        return Forked(int(answer), rc)

    def close(self) -> None:
        """Stop the forker (its children live on until they are stopped)."""
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        shutil.rmtree(self._folder, ignore_errors=True)


class Forked:
    """A forked child, with the part of subprocess.Popen's interface the tests use.

    The child is the forker's, not ours: we see it end through a pidfd, and read its exit status
    (as Popen gives it: negative for a signal) from the file the forker writes on reaping it."""

    def __init__(self, pid: int, rc: Path) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._rc = rc
        try:
            self._pidfd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:  # already ended and reaped
            self._pidfd = None

    def poll(self) -> int | None:
        return self._ended(0)

    def wait(self, timeout: float | None = None) -> int:
        code = self._ended(timeout)
        if code is None:
            raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout or 0.0)
        return code

    def _ended(self, timeout: float | None) -> int | None:
        if self.returncode is not None:
            return self.returncode
        if self._pidfd is not None:
            if not _readable(self._pidfd, timeout):
                return None
            os.close(self._pidfd)
            self._pidfd = None
        # Ended: the forker reaps it at once (SIGCHLD) and writes its status.
        deadline = time.monotonic() + 10
        while not self._rc.exists():
            if time.monotonic() > deadline:
                raise AssertionError(f"no exit status for pid {self.pid} from the forker")
            time.sleep(0.001)
        self.returncode = int(self._rc.read_text())
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self._pidfd is not None and self.poll() is None:
            # Through the pidfd: never a process that got the pid after this one ended.
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._pidfd, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _readable(fd: int, timeout: float | None) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(None if timeout is None else max(0, int(timeout * 1000))))


# ---------------------------------------------------------------------------- test helpers

# What the servers (`saduak serve`, uvicorn) and the queue workers of tests.procs import; a child
# imports anything else itself.
PRELOAD = [
    "saduak.cli",
    "saduak.app",
    "saduak.migrations",
    "printer.agent",
    "uvicorn.main",
    "uvicorn.protocols.http.auto",
    "uvicorn.protocols.websockets.auto",
    "uvicorn.lifespan.on",
    "uvicorn.loops.auto",
    "tests.procs",
]
_shared: Forker | None = None


def shared_forker() -> Forker:
    """One forker for everything in this test process that asks for one: its imports are paid
    once. It ends when this process does (or at once, if this process is killed: its stdin
    closes)."""
    global _shared
    if _shared is None:
        _shared = Forker(PRELOAD)
        atexit.register(_shared.close)
    return _shared


def run_to_end(
    command: Sequence[str], *, env: Mapping[str, str], timeout: float = 120.0
) -> tuple[int, str]:
    """Run a command line (as `spawn` takes it) in a forked child until it ends: its exit status
    and everything it printed. A child still running after `timeout` seconds is killed and fails
    the test."""
    forker = shared_forker()
    log = forker._folder / f"run-{next(forker._numbers)}.log"
    child = forker.spawn(command, cwd=ROOT, env=env, log=log, append=False)
    try:
        code = child.wait(timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait(10)
        raise AssertionError(f"{command} ran over {timeout} s:\n{log.read_text()}") from None
    output = log.read_text(encoding="utf-8", errors="replace")
    log.unlink()
    return code, output


# ---------------------------------------------------------------------------- the forker itself


def _serve() -> None:
    """The forker's main loop: import, then fork a child for each request read on stdin."""
    import importlib

    for module in sys.argv[1:]:
        importlib.import_module(module)
    # The exit status of each child, by pid, to be written where the request said.
    statuses: dict[int, Path] = {}

    def reap(_signum: int, _frame: object) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            rc = statuses.pop(pid, None)
            if rc is None:
                continue
            rc.with_suffix(".tmp").write_text(str(os.waitstatus_to_exitcode(status)))
            rc.with_suffix(".tmp").rename(rc)

    signal.signal(signal.SIGCHLD, reap)
    # A thread would not be in the children, nor would a lock it held be released there.
    assert threading.active_count() == 1, f"the imports started threads: {threading.enumerate()}"
    # What is imported stays out of the children's garbage collections: they would otherwise
    # write to (and so copy) every page of it.
    gc.freeze()
    out = sys.stdout.buffer
    out.write(b"ready\n")
    out.flush()
    for line in sys.stdin.buffer:
        request = json.loads(line)
        # No reaping between the fork and the child's entry in `statuses`.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
        pid = os.fork()
        if pid == 0:
            _child(request)
        statuses[pid] = Path(request["rc"])
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        out.write(f"{pid}\n".encode())
        out.flush()


def _child(request: dict[str, Any]) -> NoReturn:
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGCHLD})
        os.setsid()  # its own process group, as tests.live starts a server
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        null = os.open(os.devnull, os.O_RDONLY)
        flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if request["append"] else os.O_TRUNC)
        log = os.open(request["log"], flags, 0o644)
        for fd, target in ((0, null), (1, log), (2, log)):
            os.dup2(target, fd)
        os.close(null)
        os.close(log)
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False))
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), write_through=True)
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), write_through=True)
        code = _run(request["command"])
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _run(command: list[str]) -> int:
    """Run the command line as its interpreter would, and return the exit status."""
    try:
        if command[0] == sys.executable:
            sys.argv = [command[2], *command[3:]]
            runpy.run_module(command[2], run_name="__main__", alter_sys=True)
        else:
            sys.argv = list(command)
            runpy.run_path(command[0], run_name="__main__")
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException:
        traceback.print_exc()
        code = 1
    atexit._run_exitfuncs()
    return code
