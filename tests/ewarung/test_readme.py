"""README's first command, run as written in a fresh copy of the repository and a new venv."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    """The shell blocks under '## Two commands', in order."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section, re.S)


def test_readme_has_exactly_two_commands_and_ci_calls_the_second():
    commands = readme_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    assert commands[1] in (ROOT / ".ci/run").read_text()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_first_command_installs_and_serves_the_demo_shop(tmp_path):
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, check=True, capture_output=True, text=True).stdout.split()
    copy = tmp_path / "shop"
    for name in files:
        src, dst = ROOT / name, copy / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():  # ewarung/templates and ewarung/static
            dst.symlink_to(os.readlink(src))
        elif src.is_file():
            dst.write_bytes(src.read_bytes())
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EWARUNG_", "VIRTUAL_ENV"))}
    env.update(EWARUNG_PORT=str(port), PIP_DISABLE_PIP_VERSION_CHECK="1")
    log = tmp_path / "out.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(["bash", "-c", readme_commands()[0]], cwd=copy, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()[-3000:]
            try:
                requests.get(base + "/login", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(1)
        else:
            pytest.fail("the shop did not start: " + log.read_text()[-3000:])
        output = log.read_text()
        match = re.search(r"manager\s+(\S+)\s+password (\S+)", output)
        assert match, output[-3000:]
        good = requests.post(base + "/api/v1/auth/login",
                             json={"username": match[1], "password": match[2]}, timeout=10)
        assert good.status_code == 200
        bad = requests.post(base + "/api/v1/auth/login",
                            json={"username": match[1], "password": "not-the-password"},
                            timeout=10)
        assert bad.status_code == 401
        assert bad.json()["error"]["code"] == "unauthorized"
        assert (copy / "ewarung-data" / "ewarung.sqlite3").exists()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
