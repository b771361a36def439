"""The media route serves the media of a case and nothing else (issue 18 item 2):
addressed by case and SHA-256, resolved to the recorded path, checked, sniffed. Unit
checks of the resolver, then a real Jupyter server with a token."""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from resemble_nb.ledger import Ledger
from resemble_nb.media import scan
from resemble_nb.widgets.inspector import media_route
from resemble_nb.widgets.inspector._server import MEDIA_ROUTE, case_token, resolve_media

SAMPLES = Path(__file__).resolve().parents[2] / "resemble_nb" / "samples"
TOKEN = "route-test-token-7f3a"


def _case(folder: Path, *files: Path) -> dict[str, str]:
    """A case whose ledger recorded ``files``: ``{file name: sha256}``."""
    folder.mkdir(parents=True, exist_ok=True)
    found = scan([str(f) for f in files])
    ledger = Ledger(folder / "case.db")
    try:
        ledger.add_items(found.items)
    finally:
        ledger.close()
    return {p.name: item.sha256 for item in found.items for p in item.paths}


@pytest.fixture
def evidence(tmp_path: Path) -> dict[str, object]:
    """Case A with a WAV and an image; case B with an MP3; a secret outside both."""
    ev = tmp_path / "evidence"
    ev.mkdir()
    wav = ev / "call 07.wav"
    shutil.copyfile(SAMPLES / "speech.wav", wav)
    png = ev / "portrait.png"
    shutil.copyfile(SAMPLES / "portrait.png", png)
    other = tmp_path / "other-evidence" / "voicemail.mp3"
    other.parent.mkdir()
    shutil.copyfile(SAMPLES / "voicemail.mp3", other)
    secret = tmp_path / "keys" / "ana.key"
    secret.parent.mkdir()
    secret.write_text("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI...\n")
    a = _case(tmp_path / "case-a", wav, png)
    b = _case(tmp_path / "case-b", other)
    return {"a": tmp_path / "case-a", "b": tmp_path / "case-b", "wav": wav, "png": png,
            "sha": a, "other": b, "secret": secret, "root": tmp_path}  # fmt: skip


def _raw_token(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _url(case: object, sha: str) -> str:
    return media_route(Path(str(case)), sha).removeprefix(MEDIA_ROUTE + "/")


def test_a_recorded_item_resolves_to_its_file(evidence: dict[str, object]) -> None:
    sha = evidence["sha"]
    assert isinstance(sha, dict)
    assert resolve_media(_url(evidence["a"], sha["call 07.wav"])) == str(evidence["wav"])
    assert resolve_media(_url(evidence["a"], sha["portrait.png"])) == str(evidence["png"])


def test_anything_else_resolves_to_nothing(evidence: dict[str, object], tmp_path: Path) -> None:
    sha, other = evidence["sha"], evidence["other"]
    assert isinstance(sha, dict) and isinstance(other, dict)
    wav_sha = sha["call 07.wav"]
    a = evidence["a"]
    # another case's item, asked through this case
    assert resolve_media(_url(a, other["voicemail.mp3"])) is None
    # not a sha256, a path instead of a token, '..' and encoded forms, an empty ask
    for path in [
        f"{case_token(a)}/{wav_sha[:63]}",
        f"{case_token(a)}/{wav_sha.upper()}",
        f"{case_token(a)}/../{wav_sha}",
        f"{case_token(a)}/{wav_sha}/..",
        str(evidence["wav"]).lstrip("/"),
        f"{_raw_token(str(a) + '/../case-a')}/{wav_sha}",
        f"{_raw_token(str(a) + '//')}/{wav_sha}",
        f"{_raw_token('case-a')}/{wav_sha}",
        f"{case_token(a)}%2F..%2F{wav_sha}",
        f"{quote(str(a), safe='')}/{wav_sha}",
        "",
        wav_sha,
    ]:
        assert resolve_media(path) is None, path
    # a folder that is no case, and a case whose ledger is a symlink
    assert resolve_media(_url(tmp_path, wav_sha)) is None
    fake = tmp_path / "fake-case"
    fake.mkdir()
    (fake / "case.db").symlink_to(Path(str(a)) / "case.db")
    assert resolve_media(_url(fake, wav_sha)) is None


def test_a_recorded_path_swapped_for_a_link_or_other_content_is_refused(
    evidence: dict[str, object],
) -> None:
    sha = evidence["sha"]
    assert isinstance(sha, dict)
    wav, png, secret = Path(str(evidence["wav"])), Path(str(evidence["png"])), evidence["secret"]
    ask = _url(evidence["a"], sha["call 07.wav"])
    kept = wav.read_bytes()
    wav.unlink()
    wav.symlink_to(secret)  # x.wav -> the reviewer's private key
    assert resolve_media(ask) is None
    wav.unlink()
    wav.symlink_to("/etc/passwd")
    assert resolve_media(ask) is None
    wav.unlink()
    wav.write_bytes(b"root:x:0:0:root:/root:/bin/bash\n".ljust(len(kept), b"#"))  # same size
    assert resolve_media(ask) is None  # not media any more
    wav.unlink()
    sibling = wav.with_name("kept.wav")
    sibling.write_bytes(kept)
    wav.symlink_to(sibling.name)  # a link that stays in its own folder still plays
    assert resolve_media(ask) == str(wav)
    # case.db itself, and hidden files, are never served even when recorded
    ask_png = _url(evidence["a"], sha["portrait.png"])
    png.rename(png.with_name(".portrait.png"))
    png.symlink_to(".portrait.png")
    assert resolve_media(ask_png) is None


# -- in a real Jupyter server, with a token ---------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("server-root")
    port = _free_port()
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(tmp_path_factory.mktemp("runtime")),
        "JUPYTER_CONFIG_DIR": str(tmp_path_factory.mktemp("config")),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={TOKEN}", "--ServerApp.password=",
         f"--ServerApp.root_dir={root}", "--ServerApp.allow_root=True",
         "--ServerApp.jpserver_extensions=resemble_nb.widgets.inspector._server=True"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("jupyter server did not start") from None
                time.sleep(0.2)  # waiting for a subprocess to listen: no event to wait on
        yield url
    finally:
        proc.terminate()
        proc.wait(15)


class _Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect (to the login page) is the answer itself


_NO_REDIRECTS = urllib.request.build_opener(_Stay)


def _get(url: str, token: str | None = TOKEN, **headers: str) -> tuple[int, bytes, dict[str, str]]:
    origin = "/".join(url.split("/")[:3])
    if token is not None:
        headers = {"Authorization": f"token {token}", **headers}
    request = urllib.request.Request(url, headers={"Referer": f"{origin}/lab", **headers})
    try:
        with _NO_REDIRECTS.open(request, timeout=10) as answer:
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


@pytest.mark.slow
def test_the_server_plays_a_case_item_with_range_and_refuses_the_rest(
    server: str, evidence: dict[str, object]
) -> None:
    sha, other = evidence["sha"], evidence["other"]
    assert isinstance(sha, dict) and isinstance(other, dict)
    wav = Path(str(evidence["wav"]))
    whole = wav.read_bytes()
    route = f"{server}/{media_route(Path(str(evidence['a'])), sha['call 07.wav'])}"
    status, body, headers = _get(route, Range="bytes=100-199")
    assert status == 206 and body == whole[100:200]
    assert headers["Content-Range"] == f"bytes 100-199/{len(whole)}"
    assert headers["Content-Type"] in ("audio/x-wav", "audio/wav", "audio/wave")
    assert _get(route)[:2] == (200, whole)
    for token in (None, "wrong"):  # sent to log in, never the file
        status, body, headers = _get(route, token=token)
        assert status in (302, 401, 403) and body != whole, token
        assert "/login" in headers.get("Location", "/login")
    refused = [
        f"{server}/{media_route(Path(str(evidence['a'])), other['voicemail.mp3'])}",
        f"{server}/{MEDIA_ROUTE}/{quote(str(wav))}",  # the old absolute-path form
        f"{server}/{MEDIA_ROUTE}/{case_token(evidence['a'])}/..%2F..%2Fetc%2Fpasswd",
        f"{server}/{MEDIA_ROUTE}/{case_token(evidence['a'])}/%2e%2e/{sha['call 07.wav']}",
        f"{server}/{MEDIA_ROUTE}/{case_token('/etc')}/{'0' * 64}",
        f"{server}/{MEDIA_ROUTE}/{case_token(evidence['a'])}/case.db",
    ]
    for url in refused:
        status, body, _ = _get(url)
        assert status == 404, url
        assert str(evidence["root"]).encode() not in body and b"/etc" not in body
    wav.unlink()
    wav.symlink_to(Path(str(evidence["secret"])))
    status, body, _ = _get(route)
    assert status == 404 and b"PRIVATE KEY" not in body
