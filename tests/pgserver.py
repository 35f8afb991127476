"""A throw-away PostgreSQL server for the tests and the load benchmark.

Test modules import its three fixtures (``from pgserver import postgres_dsn_fixture, ...``,
registered under the names without ``_fixture``):
``postgres_pool`` (a session-wide ``psycopg_pool.ConnectionPool``), ``new_schema`` (a
function naming a new schema, dropped after the test) and ``postgres_dsn`` (session
scope), the server's connection string:

- ``TICKETCORE_TEST_POSTGRES``, when set (CI sets it with ``.ci/postgres.sh start``);
- otherwise the DSN of a cluster it starts itself, with ``initdb`` from ``PATH`` or from
  ``/usr/lib/postgresql/*/bin``, in a temporary directory, on a free loopback port,
  stopped and removed at the end of the session;
- when neither works, the tests that need PostgreSQL are skipped with the reason, except
  when the ``CI`` variable is set: then they fail, so CI never passes without them.

As a script (``.ci/postgres.sh`` runs it with the system's ``python3``, so it needs only
the standard library)::

    python3 tests/pgserver.py start [--user NAME] [--durable]  # prints two export lines
    python3 tests/pgserver.py restart DIRECTORY
    python3 tests/pgserver.py stop DIRECTORY

The cluster listens on 127.0.0.1 only, with a random password (SCRAM), and runs as an
unprivileged user: as root, ``--user`` (default: ``postgres`` if that user exists, else
``nobody``), since ``initdb`` refuses to run as root. Unless ``durable``, it trades
crash safety for speed (``fsync = off``), which a throw-away test cluster can afford.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

ENV_DSN = "TICKETCORE_TEST_POSTGRES"
ENV_DIR = "TICKETCORE_PG_DIR"
DATABASE_USER = "ticketcore"

_STATE = "server.env"  # in the server's directory: what restart and stop need


class ServerUnavailableError(RuntimeError):
    """No PostgreSQL server could be started on this machine."""


def find_bin_dir() -> Path:
    """The directory of ``initdb`` and ``pg_ctl``: on PATH, or the newest packaged one."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    candidates += Path("/usr/local/pgsql/bin").glob("initdb")
    if not candidates:
        msg = "no initdb on PATH or in /usr/lib/postgresql/*/bin: PostgreSQL is not installed"
        raise ServerUnavailableError(msg)
    return Path(candidates[-1]).parent


def _default_user() -> str | None:
    if os.geteuid() != 0:
        return None  # run as ourselves
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    msg = "running as root, and no unprivileged user (postgres, nobody) to run PostgreSQL"
    raise ServerUnavailableError(msg)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """One throw-away cluster in its own temporary directory."""

    def __init__(self, directory: Path, *, bin_dir: Path, user: str | None, port: int) -> None:
        self.directory = directory
        self.bin_dir = bin_dir
        self.user = user
        self.port = port
        self.password = ""

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def dsn(self) -> str:
        return (
            f"postgresql://{DATABASE_USER}:{self.password}@127.0.0.1:{self.port}/postgres"
            "?connect_timeout=10"
        )

    @classmethod
    def start(cls, *, user: str | None = None, durable: bool = False) -> Server:
        """Create and start a new cluster; ServerUnavailableError when that fails."""
        bin_dir = find_bin_dir()
        user = user or _default_user()
        directory = Path(tempfile.mkdtemp(prefix="ticketcore-pg-"))
        try:
            server = cls(directory, bin_dir=bin_dir, user=user, port=0)
            server._initdb(durable=durable)
            server._start_on_a_free_port()
            server._save()
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        return server

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> Server:
        """The server started earlier in ``directory`` (by another process)."""
        folder = Path(directory)
        values = dict(
            line.split("=", 1) for line in (folder / _STATE).read_text().splitlines() if line
        )
        server = cls(
            folder,
            bin_dir=Path(values["bin_dir"]),
            user=values["user"] or None,
            port=int(values["port"]),
        )
        server.password = values["password"]
        return server

    def restart(self, *, mode: str = "fast") -> None:
        """``pg_ctl restart -m mode``: every client connection is cut."""
        self._pg_ctl(
            "restart", "-w", "-t", "60", "-m", mode, "-l", str(self.directory / "server.log")
        )

    def stop(self) -> None:
        """Stop the server and remove its directory."""
        try:
            if (self.data / "postmaster.pid").exists():
                self._pg_ctl("stop", "-w", "-t", "60", "-m", "fast")
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)

    def log(self) -> str:
        path = self.directory / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def exports(self) -> str:
        return (
            f"export {ENV_DSN}={shlex.quote(self.dsn)}; "
            f"export {ENV_DIR}={shlex.quote(str(self.directory))}"
        )

    # -- internals -------------------------------------------------------------------------

    def _initdb(self, *, durable: bool) -> None:
        self.password = secrets.token_urlsafe(18)
        password_file = self.directory / "password"
        password_file.write_text(self.password + "\n")
        self._own(self.directory, password_file)
        self._run(
            str(self.bin_dir / "initdb"),
            "--pgdata",
            str(self.data),
            "--username",
            DATABASE_USER,
            "--pwfile",
            str(password_file),
            "--auth-local",
            "trust",
            "--auth-host",
            "scram-sha-256",
            "--encoding",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        password_file.unlink()
        settings = [
            "listen_addresses = '127.0.0.1'",
            f"unix_socket_directories = '{self.directory}'",
            "max_connections = 100",
            "log_min_messages = warning",
            "log_line_prefix = '%m [%p] '",
        ]
        if not durable:
            settings += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\n# ticketcore's throw-away cluster\n" + "\n".join(settings) + "\n")

    def _start_on_a_free_port(self) -> None:
        for _attempt in range(5):  # another process may take the port we picked meanwhile
            self.port = _free_port()
            with (self.data / "postgresql.conf").open("a") as conf:
                conf.write(f"port = {self.port}\n")  # the last one wins
            try:
                self._pg_ctl("start", "-w", "-t", "60", "-l", str(self.directory / "server.log"))
            except ServerUnavailableError:
                if "could not bind" not in self.log():
                    raise
            else:
                return
        msg = f"no free port for PostgreSQL:\n{self.log()}"
        raise ServerUnavailableError(msg)

    def _save(self) -> None:
        state = self.directory / _STATE
        state.write_text(
            f"bin_dir={self.bin_dir}\nuser={self.user or ''}\nport={self.port}\n"
            f"password={self.password}\n"
        )
        state.chmod(0o600)

    def _pg_ctl(self, *arguments: str) -> None:
        self._run(str(self.bin_dir / "pg_ctl"), arguments[0], "-D", str(self.data), *arguments[1:])

    def _own(self, *paths: Path) -> None:
        if self.user is None:
            return
        account = pwd.getpwnam(self.user)
        for path in paths:
            os.chown(path, account.pw_uid, account.pw_gid)

    def _run(self, *command: str) -> None:
        options: dict[str, object] = {}
        if self.user is not None:
            account = pwd.getpwnam(self.user)
            options = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        environment = {
            key: value for key, value in os.environ.items() if not key.startswith(("PG", "LC_"))
        }
        environment["LANG"] = "C"
        result = subprocess.run(  # noqa: PLW1510 - the return code is checked below
            command,
            capture_output=True,
            text=True,
            cwd=self.directory,
            env=environment,
            timeout=120,
            **options,  # type: ignore[call-overload]
        )
        if result.returncode != 0:
            msg = (
                f"{Path(command[0]).name} {command[1]} failed ({result.returncode}):"
                f" {result.stdout}{result.stderr}"
            )
            raise ServerUnavailableError(msg)


def wait_until_ready(dsn: str, *, timeout: float = 30.0) -> None:
    """Wait until a server accepts connections (needs psycopg)."""
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(dsn, connect_timeout=5) as connection:
                connection.execute("SELECT 1")
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        else:
            return


# -- pytest ----------------------------------------------------------------------------------

try:
    import pytest
except ModuleNotFoundError:  # run as a script by .ci/postgres.sh, outside the venv
    pytest = None  # type: ignore[assignment]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(
            f"PostgreSQL is required in CI (the CI variable is set): {reason}", pytrace=False
        )
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


def _server_dsn() -> Iterator[str]:
    dsn = os.environ.get(ENV_DSN)
    if dsn:
        try:
            wait_until_ready(dsn, timeout=10)
        except Exception as error:  # noqa: BLE001 - reported as the reason
            _unavailable(f"{ENV_DSN} is set but the server does not answer: {error}")
        yield dsn
        return
    try:
        server = Server.start()
    except ServerUnavailableError as error:
        _unavailable(f"{ENV_DSN} is not set and no local server could be started: {error}")
    try:
        yield server.dsn
    finally:
        server.stop()


if pytest is not None:

    @pytest.fixture(scope="session", name="postgres_dsn")
    def postgres_dsn_fixture() -> Iterator[str]:
        """The DSN of a PostgreSQL server for this test session (see the module's doc)."""
        yield from _server_dsn()

    @pytest.fixture(scope="session", name="postgres_pool")
    def postgres_pool_fixture(postgres_dsn: str) -> Iterator[Any]:
        """A connection pool on that server, shared by the session's tests."""
        from psycopg_pool import ConnectionPool

        with ConnectionPool(
            postgres_dsn,
            min_size=2,
            max_size=12,
            timeout=30,
            check=ConnectionPool.check_connection,
        ) as pool:
            yield pool

    @pytest.fixture(name="new_schema")
    def new_schema_fixture(postgres_pool: Any) -> Iterator[Callable[[], str]]:
        """A function returning the name of a new, unused schema; all dropped afterwards."""
        made: list[str] = []

        def make() -> str:
            made.append(f"test_{uuid.uuid4().hex[:16]}")
            return made[-1]

        yield make
        drop_schemas(postgres_pool, made)


def drop_schemas(pool: Any, names: Iterable[str]) -> None:
    """Drop these schemas and everything in them."""
    from psycopg import sql

    with pool.connection() as connection:
        for name in names:
            connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name))
            )


# -- command line ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A throw-away PostgreSQL cluster.")
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start", help="start a cluster; print export lines")
    start.add_argument("--user", help="the OS user to run it as (when root)")
    start.add_argument("--durable", action="store_true", help="keep fsync on")
    for name in ("restart", "stop"):
        command = commands.add_parser(name)
        command.add_argument("directory", nargs="?", default=os.environ.get(ENV_DIR))
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "start":
            server = Server.start(user=arguments.user, durable=arguments.durable)
            sys.stdout.write(server.exports() + "\n")
            return 0
        if not arguments.directory:
            parser.error(f"give the server's directory (or set {ENV_DIR})")
        server = Server.load(arguments.directory)
        if arguments.command == "restart":
            server.restart()
        else:
            server.stop()
    except ServerUnavailableError as error:
        sys.stderr.write(f"pgserver: {error}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
