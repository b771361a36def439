"""The install itself turns the media route on (issue 20 item 1).

A fresh environment (a new venv whose ``sys.prefix`` is its own, seeing the shared
venv's third-party packages through a ``.pth``) gets ``pip install -e .`` of this tree,
offline. Then: ``jupyter server extension list`` shows the extension enabled from that
environment's own ``etc/jupyter``, the README's enable command works there, and a real
JupyterLab started with no extension flag serves a 60 MB WAV of a case with Range.
"""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from resemble_nb.ledger import Ledger
from resemble_nb.media import scan
from resemble_nb.widgets.inspector import media_route

ROOT = Path(__file__).resolve().parent.parent
EXTENSION = "resemble_nb.widgets.inspector._server"
TOKEN = "install-test-token-51c2"

pytestmark = pytest.mark.slow


def _run(*args: str | Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(a) for a in args], env=env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    """A new environment with this tree pip-installed in editable mode: (python, env)."""
    venv = tmp_path_factory.mktemp("fresh-env")
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    # jupyter, pip, hatchling... from the shared venv; the package itself is not there
    (Path(purelib) / "_shared_packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "PYTHON"))}
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path_factory.mktemp("user-config"))  # empty ~/.jupyter
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path_factory.mktemp("runtime"))
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    _run(python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--ignore-installed", "-e", ROOT, env=env)  # fmt: skip
    yield python, env


def test_the_editable_install_places_the_config_and_lists_the_extension_enabled(
    fresh: tuple[Path, dict[str, str]],
) -> None:
    python, env = fresh
    prefix = python.parent.parent
    config = prefix / "etc" / "jupyter" / "jupyter_server_config.d" / "resemble_nb.json"
    assert config.is_file(), "the install did not place the server config"
    where = _run(python, "-c", "import resemble_nb; print(resemble_nb.__file__)", env=env)
    assert where.strip() == str(ROOT / "resemble_nb" / "__init__.py")  # editable: this tree
    listing = _run(python, "-m", "jupyter_server", "extension", "list", env=env)
    lines = [line for line in listing.splitlines() if EXTENSION in line]
    assert any("enabled" in line for line in lines), listing
    # listed from the environment's own config, not from the shared venv or the user
    section = listing.split(f"Config dir: {prefix / 'etc' / 'jupyter'}")[1].split("Config dir")[0]
    assert EXTENSION in section and "enabled" in section, listing


def test_the_readme_commands_turn_it_off_and_on_again(
    fresh: tuple[Path, dict[str, str]],
) -> None:
    python, env = fresh
    _run(python, "-m", "jupyter_server", "extension", "disable", EXTENSION, env=env)
    listing = _run(python, "-m", "jupyter_server", "extension", "list", env=env)
    assert any("disabled" in line for line in listing.splitlines() if EXTENSION in line)
    _run(python, "-m", "jupyter_server", "extension", "enable", EXTENSION, env=env)
    listing = _run(python, "-m", "jupyter_server", "extension", "list", env=env)
    lines = [line for line in listing.splitlines() if EXTENSION in line]
    assert lines and all("disabled" not in line for line in lines), listing
    assert any("enabled" in line for line in lines), listing


def _wav(path: Path, size: int) -> None:
    """A 16-bit mono 48 kHz WAV of ``size`` bytes (a slow ramp, not silence)."""
    frames = (size - 44) // 2
    header = b"RIFF" + struct.pack("<I", 36 + frames * 2) + b"WAVEfmt "
    header += struct.pack("<IHHIIHH", 16, 1, 1, 48_000, 96_000, 2, 16)
    header += b"data" + struct.pack("<I", frames * 2)
    block = struct.pack("<4800h", *((i * 13) % 4000 - 2000 for i in range(4800)))
    with path.open("wb") as out:
        out.write(header)
        left = frames * 2
        while left > 0:
            out.write(block[:left])
            left -= len(block)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _get(url: str, **headers: str) -> tuple[int, bytes, dict[str, str]]:
    origin = "/".join(url.split("/")[:3])
    headers = {"Authorization": f"token {TOKEN}", "Referer": f"{origin}/lab", **headers}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def test_jupyterlab_of_the_fresh_environment_plays_a_60_mb_wav_with_range(
    fresh: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    python, env = fresh
    wav = tmp_path / "evidence" / "30 minute call.wav"
    wav.parent.mkdir()
    _wav(wav, 60 * 1024 * 1024)
    found = scan([str(wav)])
    case = tmp_path / "case"
    case.mkdir()
    ledger = Ledger(case / "case.db")
    try:
        ledger.add_items(found.items)
    finally:
        ledger.close()
    sha = found.items[0].sha256
    port = _free_port()
    log = tmp_path / "lab.log"
    with log.open("wb") as out:
        # no --ServerApp.jpserver_extensions: the installed config alone turns the route on
        lab = subprocess.Popen(
            [python, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
             f"--IdentityProvider.token={TOKEN}", "--ServerApp.password=",
             f"--ServerApp.root_dir={tmp_path}", "--ServerApp.allow_root=True"],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while _status(f"{url}/api/status") != 200:
            assert lab.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.25)  # waiting for a subprocess to listen: no event to wait on
        route = f"{url}/{media_route(case, sha)}"
        size = wav.stat().st_size
        with wav.open("rb") as f:
            f.seek(size - 1000)
            tail = f.read()
            f.seek(0)
            head = f.read(4096)
        status, body, headers = _get(route, Range=f"bytes={size - 1000}-")
        assert status == 206, log.read_text(errors="replace")
        assert body == tail
        assert headers["Content-Range"] == f"bytes {size - 1000}-{size - 1}/{size}"
        assert headers["Content-Type"] in ("audio/x-wav", "audio/wav", "audio/wave")
        status, body, _ = _get(route, Range="bytes=0-4095")
        assert (status, body) == (206, head)
        assert "resemble_nb: media served at" in log.read_text(errors="replace")
    finally:
        lab.terminate()
        try:
            lab.wait(15)
        except subprocess.TimeoutExpired:
            lab.kill()
            lab.wait(5)


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(f"{url}?token={TOKEN}", timeout=2) as answer:
            return int(answer.status)
    except (urllib.error.URLError, OSError):
        return 0
