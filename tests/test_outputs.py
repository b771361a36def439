"""Outputs are written safely: -o onto a FIFO, a symlink, a device node, a socket or a
folder is refused in one line and left exactly as it was (issue 18 item 6)."""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

import resemble_nb as rnb
from resemble_nb._core.output import UnsafeOutputError, check_output, write_atomically
from resemble_nb.cli import main
from resemble_nb.sandbox import Sandbox

SAMPLES = rnb.sample_media()


def _fifo(path: Path) -> str:
    os.mkfifo(path)
    return "a FIFO"


def _symlink(path: Path) -> str:
    victim = path.with_name("victim.txt")
    victim.write_text("keep me")
    path.symlink_to(victim)
    return "a symbolic link"


def _dangling(path: Path) -> str:
    path.symlink_to(path.with_name("not-there-yet.txt"))
    return "a symbolic link"


def _device(path: Path) -> str:
    if os.geteuid() != 0:
        pytest.skip("mknod needs root")
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # the same device as /dev/null
    return "a character device"


def _socket(path: Path) -> str:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()
    return "a socket"


def _folder(path: Path) -> str:
    path.mkdir()
    return "a folder"


MAKERS: dict[str, Callable[[Path], str]] = {
    "fifo": _fifo,
    "symlink": _symlink,
    "dangling-symlink": _dangling,
    "device": _device,
    "socket": _socket,
    "folder": _folder,
}


def _snapshot(path: Path) -> tuple[int, int, int, str | None]:
    st = os.lstat(path)
    link = os.readlink(path) if path.is_symlink() else None
    return st.st_mode, st.st_ino, st.st_rdev, link


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("outputs") / "case"
    with Sandbox() as sandbox:
        os.environ["RESEMBLE_API_KEY"] = sandbox.api_key
        try:
            args = ["detect", str(SAMPLES), "--case", str(folder), "--no-progress"]
            assert main([*args, "--base-url", sandbox.base_url]) == 0
        finally:
            os.environ.pop("RESEMBLE_API_KEY", None)
    return folder


@pytest.mark.parametrize("kind", sorted(MAKERS))
@pytest.mark.parametrize(
    "command",
    [
        ["report", "-o", "{out}"],
        ["results", "--format", "csv", "-o", "{out}"],
    ],
    ids=["report", "results"],
)
def test_o_onto_anything_but_a_file_is_refused_and_left_alone(
    reviewed: Path,
    tmp_path: Path,
    kind: str,
    command: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / ("out.html" if command[0] == "report" else "out.csv")
    what = MAKERS[kind](out)
    before = _snapshot(out)
    argv = [command[0], "--case", str(reviewed), *[a.format(out=out) for a in command[1:]]]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert str(out) in err and (what in err or "folder" in err)
    assert _snapshot(out) == before  # the same node, untouched
    if kind == "symlink":
        assert out.with_name("victim.txt").read_text() == "keep me"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_regular_file_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    target.write_text("old")
    write_atomically(target, "new")
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]
    assert check_output(tmp_path / "new" / "x.html") == tmp_path / "new" / "x.html"


def test_dev_null_itself_is_refused() -> None:
    with pytest.raises(UnsafeOutputError, match="refusing to write /dev/null: it is a char"):
        write_atomically("/dev/null", "x")
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_a_bundle_onto_a_fifo_is_refused(reviewed: Path, tmp_path: Path) -> None:
    from resemble_nb.custody.bundle import write_bundle

    out = tmp_path / "b.zip"
    os.mkfifo(out)
    with pytest.raises(UnsafeOutputError, match="it is a FIFO"):
        write_bundle(rnb.Case(reviewed).ledger, "acme", lambda p: p, out, None)  # type: ignore[arg-type]
    assert stat.S_ISFIFO(os.lstat(out).st_mode)
