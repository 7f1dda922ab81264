"""A real Dovecot IMAP server on loopback, with its own configuration in a temporary directory.

`with Dovecot() as server:` writes a dovecot.conf (one user, plain-text login on
127.0.0.1:`server.port`, Maildir under the temporary directory) and runs
`dovecot -F -c dovecot.conf` in its own process group. `restart()` kills the whole group
at once, as a crash would (every open IMAP connection drops), and starts it again on the
same port and mail store. Startup waits for the greeting; a failed start raises with the
end of Dovecot's log (`server.log_path`).

Mail gets in as it would in production: `append()` over IMAP (what a client does) or
`deliver()`, which writes a file into the Maildir's `new/` as an MTA's local delivery
does (bytes exactly as given, which APPEND would refuse for an empty message).

As root (our machines) the config uses the stock `dovenull`/`dovecot` users and the mail
belongs to `dovecot`; as anyone else every service and the mail run as that user.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from imapclient import IMAPClient

from outreach.mail.sink import free_port
from outreach.settings import ImapSettings

DOVECOT = Path(os.environ.get("OUTREACH_TEST_DOVECOT", "/usr/sbin/dovecot"))
USER = "outreach"
PASSWORD = "imap-test-password"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = 1
mail_location = maildir:~/Maildir
mail_fsync = never
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


def _group_alive(pgid: int) -> bool:
    """Whether a process of group `pgid` still runs (zombies waiting for init do not count)."""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


class DovecotError(RuntimeError):
    pass


def version() -> str:
    result = subprocess.run([str(DOVECOT), "--version"], capture_output=True, text=True,
                            check=True)
    return result.stdout.strip()


class Dovecot:
    def __init__(self, user: str = USER, password: str = PASSWORD,
                 extra_config: str = "") -> None:
        """`extra_config` is appended to dovecot.conf (say `imap_capability = ...`)."""
        self.extra_config = extra_config
        self.user = user
        self.password = password
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="outreach-dovecot-"))
        self.root.chmod(0o755)  # Dovecot's own users must reach the passwd file and the mail
        if os.geteuid() == 0:
            self.login_user, self.internal_user, self.mail_user = "dovenull", "dovecot", "dovecot"
        else:
            me = pwd.getpwuid(os.geteuid()).pw_name
            self.login_user = self.internal_user = self.mail_user = me
        owner = pwd.getpwnam(self.mail_user)
        self.uid, self.gid = owner.pw_uid, owner.pw_gid
        self.config_path = self.root / "dovecot.conf"
        self.log_path = self.root / "dovecot.log"
        self.home = self.root / "home" / user
        self.maildir = self.home / "Maildir"
        self._process: subprocess.Popen[bytes] | None = None
        self._write_config()

    def _write_config(self) -> None:
        for sub in ("run", "state", "home"):
            (self.root / sub).mkdir()
        os.chown(self.root / "home", self.uid, self.gid)
        passwd = self.root / "passwd"
        passwd.write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        passwd.chmod(0o644)
        self.config_path.write_text(CONFIG.format(
            root=self.root, port=self.port, login_user=self.login_user,
            internal_user=self.internal_user, mail_user=self.mail_user,
            mail_group=grp.getgrgid(self.gid).gr_name) + self.extra_config + "\n")

    # -- life cycle -----------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> None:
        assert self._process is None, "already running"
        self._process = subprocess.Popen(
            [str(DOVECOT), "-F", "-c", str(self.config_path)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=(self.root / "stderr.log").open("ab"), start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            if self._process.poll() is not None:
                self._process = None
                raise DovecotError(f"dovecot exited at startup:\n{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe:
                    if probe.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise DovecotError(f"dovecot did not answer on port {self.port}:\n"
                                   f"{self.log_tail()}")
            time.sleep(0.01)

    def stop(self) -> None:
        """Kill Dovecot and every process it started (and with them every connection)."""
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        deadline = time.monotonic() + 5
        while _group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.01)  # children reparented to init die a moment later

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Dovecot:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def log_tail(self, lines: int = 30) -> str:
        text = ""
        for path in (self.log_path, self.root / "stderr.log"):
            if path.exists():
                text += path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    # -- mail -----------------------------------------------------------------------------

    def settings(self, folders: list[str] | None = None) -> ImapSettings:
        return ImapSettings(host="127.0.0.1", port=self.port, security="none",
                            username=self.user, folders=folders or ["INBOX"])

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", self.port, ssl=False, timeout=30)
        client.login(self.user, self.password)
        return client

    def append(self, *messages: bytes, folder: str = "INBOX") -> list[int]:
        """APPEND `messages` to `folder` (created when missing); their UIDs."""
        uids: list[int] = []
        with self.client() as client:
            if not client.folder_exists(folder):
                client.create_folder(folder)
            for raw in messages:
                response = client.append(folder, raw)
                # b"[APPENDUID <uidvalidity> <uid>] Append completed."
                uids.append(int(response.split(b"]", 1)[0].split()[-1]))
        return uids

    def deliver(self, raw: bytes, folder: str = "INBOX") -> Path:
        """Write `raw` into the folder's Maildir `new/` as a local delivery agent would."""
        base = self.maildir if folder == "INBOX" else self.maildir / f".{folder}"
        for path in (self.home, self.maildir, base, base / "tmp", base / "new", base / "cur"):
            if not path.exists():
                path.mkdir(mode=0o700)
                os.chown(path, self.uid, self.gid)
        name = f"{time.time_ns()}.P{os.getpid()}.outreach-test"
        temporary = base / "tmp" / name
        temporary.write_bytes(raw)
        os.chown(temporary, self.uid, self.gid)
        final = base / "new" / name
        temporary.rename(final)
        return final

    def flags(self, folder: str = "INBOX") -> dict[int, tuple[bytes, ...]]:
        """Every message's flags, looked at without changing anything."""
        with self.client() as client:
            client.select_folder(folder, readonly=True)
            uids = client.search()
            response = client.fetch(uids, ["FLAGS"]) if uids else {}
            return {int(uid): tuple(data[b"FLAGS"]) for uid, data in response.items()}

    def uids(self, folder: str = "INBOX") -> list[int]:
        with self.client() as client:
            client.select_folder(folder, readonly=True)
            return sorted(int(uid) for uid in client.search())

    def uidvalidity(self, folder: str = "INBOX") -> int:
        with self.client() as client:
            status = client.folder_status(folder, [b"UIDVALIDITY"])
            return int(status[b"UIDVALIDITY"])

    def reset_uidvalidity(self) -> None:
        """Forget INBOX's UIDs, as a rebuilt mail store does: new UIDVALIDITY, same mail."""
        self.stop()
        for path in self.maildir.glob("dovecot*"):
            if path.name.startswith(("dovecot-uidlist", "dovecot.index")):
                path.unlink()
        self.start()
