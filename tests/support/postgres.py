"""A throw-away PostgreSQL cluster for the tests: its own data folder and socket folder in a
temporary directory, a private port, no TCP listener, never the system's cluster.

Debian's `postgresql` package (scripts/setup installs it) puts initdb and pg_ctl in
/usr/lib/postgresql/<version>/bin, off the PATH, so both places are searched. PostgreSQL
refuses to run as root: as root (CI), the cluster is made and run by an unprivileged account
(`postgres`, which the Debian package creates, else `nobody`) through runuser. The test
process connects over the Unix socket as the cluster's superuser, without a password
(`trust`, on a socket only this machine's users can reach, in a folder nobody else uses)."""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

from tests.support.broker import free_port

try:
    import psycopg  # the hub's driver (the `hub` extra): the tests use it as the hub does
except ImportError:  # pragma: no cover - reported as a failure by PostgresCluster()
    psycopg = None

SUPERUSER = "kiosk"
SETUP_HINT = "Run scripts/setup: it installs Debian's postgresql and the hub's driver."


class PostgresMissing(RuntimeError):
    """initdb, pg_ctl or the psycopg driver cannot be found."""


def find_tool(name: str) -> str:
    """The path of a PostgreSQL server program: on the PATH, else in Debian's versioned
    folders (the newest version first)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
    candidates.sort(key=lambda path: int(Path(path).parts[-3]), reverse=True)
    if not candidates:
        raise PostgresMissing(f"{name} not found: PostgreSQL is not installed. {SETUP_HINT}")
    return candidates[0]


def _run_as() -> str | None:
    """The account to run the server as when we are root (None: run as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise PostgresMissing("running as root and neither 'postgres' nor 'nobody' exists")


class PostgresCluster:
    """One cluster: `start()` makes and starts it, `empty_database()` and `database()` give
    an empty database in it, `stop()` stops it and deletes everything it wrote."""

    def __init__(self) -> None:
        if psycopg is None:
            raise PostgresMissing(f"the psycopg driver is not installed. {SETUP_HINT}")
        self.initdb = find_tool("initdb")
        self.pg_ctl = find_tool("pg_ctl")
        self.user = _run_as()
        # Not under pytest's tmp folder: that is private to root (0700), the server's account
        # must reach its data and socket folders, and a socket's path must stay short (< 108)
        parent = "/tmp" if self.user else None
        self.folder = Path(tempfile.mkdtemp(prefix="thuvien-pg-", dir=parent))
        self.data = self.folder / "data"
        self.socket_dir = self.folder  # the socket file is <folder>/.s.PGSQL.<port>
        self.log = self.folder / "server.log"
        self.port = free_port()
        self._names = itertools.count(1)
        self._shared: str | None = None
        if self.user is not None:
            account = pwd.getpwnam(self.user)
            os.chown(self.folder, account.pw_uid, account.pw_gid)

    def _command(self, *args: str) -> None:
        """Run a server program as the cluster's account; its output goes with any error."""
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        result = subprocess.run(
            [*prefix, *args], capture_output=True, text=True, timeout=60, cwd=self.folder
        )
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(
                f"{' '.join(args[:2])} failed ({result.returncode}):\n"
                f"{result.stdout}{result.stderr}{log}"
            )

    def start(self) -> PostgresCluster:
        """initdb, then start the server and wait until it takes connections."""
        self._command(
            self.initdb, "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        # No TCP at all (listen_addresses empty), only the socket in our folder; fsync off:
        # the cluster lives for one test session, a crash loses nothing worth keeping. The
        # rest as PostgreSQL ships it (100 connections: the dashboard's tests must fit).
        options = (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses='' -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off"
        )
        self._command(
            self.pg_ctl, "-D", str(self.data), "-l", str(self.log), "-o", options, "-w",
            "-t", "30", "start",
        )  # fmt: skip
        return self

    def stop(self) -> None:
        """Stop the server at once (its clients are told) and delete its folder."""
        try:
            if (self.data / "postmaster.pid").exists():
                self._command(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        """A libpq URL for one database of the cluster, over its socket."""
        return (
            f"postgresql://{SUPERUSER}@/{database}"
            f"?host={quote(str(self.socket_dir), safe='')}&port={self.port}"
        )

    def database(self) -> str:
        """Create a new, empty database and give its URL (for a fixture that outlives a
        test; a new database costs ~0.3 s, so tests share one: `empty_database()`)."""
        name = f"hub_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def empty_database(self) -> str:
        """The URL of the tests' shared database, emptied for the next test: every connection
        to it closed (a server thread a test left behind must not hold a lock), its schema
        dropped and made anew."""
        if self._shared is None:
            self._shared = self.database()
        with psycopg.connect(self._shared, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            admin.execute("DROP SCHEMA public CASCADE")
            admin.execute("CREATE SCHEMA public")
        return self._shared
