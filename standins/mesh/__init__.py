"""mesh-sandbox (NHS England's MESH sandbox, from PyPI) for the demo and tests, on 127.0.0.1 only.

mesh-sandbox pins cryptography below 51 and gunicorn below 27, which the project's own pins (security releases)
are above, so it runs from its own virtual environment (var/standins/mesh-sandbox, from requirements.txt here,
made on first use) as a separate process. `run.py` starts it with our mailboxes and workflows."""

import fcntl
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# The checkout's own var/, whatever JOINEDUP_VAR_DIR says (benchmarks use a scratch one): made once, kept.
VENV = Path(os.environ.get("JOINEDUP_MESH_SANDBOX_VENV", ROOT / "var" / "standins" / "mesh-sandbox"))


def ensure_venv() -> Path:
    """Make the sandbox's virtual environment once. Test workers start at the same moment: a file lock lets the
    first build it while the others wait, then find it made."""
    python = VENV / "bin" / "python"
    marker = VENV / ".installed"
    requirements = HERE / "requirements.txt"
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(VENV.parent / ".mesh-sandbox.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists() and marker.read_text() == requirements.read_text():
            return python
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)  # noqa: S603
        subprocess.run(  # noqa: S603
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(requirements)],
            check=True,
        )
        marker.write_text(requirements.read_text())
    return python


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MeshSandbox:
    def __init__(self, *, workdir, mailboxes, workflows=None, port=0, password=None, shared_key=None):
        self.workdir = Path(workdir)
        self.mailboxes = list(mailboxes)
        self.workflows = workflows
        self.port = port or free_port()
        self.password = password or secrets.token_urlsafe(16)
        self.shared_key = shared_key or secrets.token_urlsafe(16)
        self.process = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> "MeshSandbox":
        python = ensure_venv()
        self.workdir.mkdir(parents=True, exist_ok=True)
        with open(self.workdir / "mailboxes.jsonl", "w") as f:
            for mailbox in self.mailboxes:
                f.write(
                    json.dumps(
                        {
                            "mailbox_id": mailbox,
                            "mailbox_name": mailbox,
                            "billing_entity": "England",
                            "ods_code": mailbox[:6],
                            "org_code": mailbox[:6],
                            "password": self.password,
                        }
                    )
                    + "\n"
                )
        (self.workdir / "workflows.jsonl").write_text("")
        env = {
            **{k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")},
            "AUTH_MODE": "full",
            "STORE_MODE": "memory",
            "SHARED_KEY": self.shared_key,
            "JOINEDUP_MESH_DATA": str(self.workdir),
        }
        self.process = subprocess.Popen(  # noqa: S603
            [str(python), str(HERE / "run.py"), "--port", str(self.port)],
            env=env,
            stdout=open(self.workdir / "sandbox.log", "ab"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=1):  # noqa: S310
                    return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"mesh-sandbox stopped: see {self.workdir / 'sandbox.log'}") from None
                time.sleep(0.2)
        raise RuntimeError("mesh-sandbox did not start")

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/admin/reset", method="DELETE")  # noqa: S310
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310
            pass

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
