"""``resemble-nb sandbox``: serve the sandbox in the foreground until Ctrl-C.

Only the standard library is imported at module level; starlette and uvicorn are
imported inside :func:`run`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

__all__ = ["add_arguments", "run"]

DEFAULT_PORT = 8765

_FAULTS_HELP = (
    "inject faults: comma-separated rules ROUTE:ACTION[@P], e.g. "
    "'POST /detect:500@0.1,GET /detect/*:429;retry_after=2@0.1,*:drop@0.02,*:delay=0.5@0.2'. "
    "ACTION is NNN, delay=S, drop (close before handling), drop_after (handle, then close), "
    "optionally with ;retry_after=S ;times=N"
)


def _valid(value: str, check: Callable[[str], object], error: type[Exception]) -> str:
    """``value`` if ``check`` accepts it; else argparse's error with ``check``'s reason."""
    try:
        check(value)
    except error as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def _progress(value: str) -> str:
    from .config import parse_progress

    return _valid(value, parse_progress, ValueError)


def _faults(value: str) -> str:
    from .faults import FaultSpecError, parse_spec

    return _valid(value, parse_spec, FaultSpecError)


def _lag(value: str) -> str:
    from .modes import parse_lag

    return _valid(value, parse_lag, ValueError)


def _share(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError(f"expected a share from 0 to 1, got {value!r}")
    return number


def _non_negative(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value!r}")
    return number


def _truth_file(value: str) -> str:
    from .scoring import PlantedTruth

    try:
        PlantedTruth.read_labels(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``resemble-nb sandbox`` (also used by ``python -m resemble_nb.sandbox``)."""
    from .modes import VISUAL_ARTIFACTS  # standard library only

    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any)"
    )
    parser.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help="accepted API key, one team per key (repeatable; default: a random key)",
    )
    parser.add_argument(
        "--latency",
        type=_non_negative,
        default=0.0,
        metavar="SECONDS",
        help="seconds a job takes (alone, this implies --progress time)",
    )
    parser.add_argument(
        "--progress",
        type=_progress,
        default=None,
        help="when jobs finish: immediate, time (after --latency) or polls:N "
        "(default: time with --latency, else immediate)",
    )
    parser.add_argument(
        "--rate-limit",
        type=_non_negative,
        default=40.0,
        metavar="RPS",
        help="requests per second per key before 429 (default 40; 0 disables)",
    )
    retry = parser.add_mutually_exclusive_group()
    retry.add_argument(
        "--retry-after",
        action="store_true",
        help="send a Retry-After header with 429s (none is documented, so none by default)",
    )
    retry.add_argument("--no-retry-after", action="store_true", help="(the default)")
    parser.add_argument(
        "--list-order",
        choices=["newest", "oldest", "shuffled"],
        default="newest",
        help="order of GET /detect (the docs promise none; shuffled is seeded by --seed)",
    )
    for kind in ("intelligence", "watermark", "tracing"):
        parser.add_argument(
            f"--{kind}-lag",
            type=_lag,
            default="none",
            metavar="LAG",
            help=f"{kind} finishes after the detect: none, time:SECONDS or polls:N",
        )
        parser.add_argument(
            f"--{kind}-fail",
            type=_share,
            nargs="?",
            const=1.0,
            default=0.0,
            metavar="SHARE",
            help=f"this share (0-1, default 1 when given) of {kind} analyses fail",
        )
    parser.add_argument(
        "--visual-artifacts",
        choices=list(VISUAL_ARTIFACTS),
        default="inline",
        help="image heatmaps as inline data: URIs, or as signed URLs that serve the image "
        "(url), a 404, HTML, 12 MB, a redirect to a metadata address or a private URL",
    )
    parser.add_argument(
        "--hostile",
        action="store_true",
        help="answers that attack the browser: markup in every text field, breaking data: "
        "URIs, javascript: links, a megabyte of text (to test a client's escaping)",
    )
    parser.add_argument(
        "--single-use-tokens",
        action="store_true",
        help="a media token serves one create; a second is refused with 400",
    )
    parser.add_argument(
        "--no-create-status",
        action="store_true",
        help="create answers carry no status, as in the docs' examples",
    )
    parser.add_argument("--faults", type=_faults, default=None, metavar="SPEC", help=_FAULTS_HELP)
    parser.add_argument("--seed", type=int, default=0, help="seed of the fault dice")
    parser.add_argument(
        "--wallet-cents",
        type=_non_negative,
        default=None,
        metavar="CENTS",
        help="each team's balance; requests it cannot pay get 402 (default: unlimited)",
    )
    parser.add_argument(
        "--plant-truth",
        action="store_true",
        help="score media named real or fake (fake_01.wav) from two overlapping distributions",
    )
    parser.add_argument(
        "--truth-file",
        type=_truth_file,
        default=None,
        metavar="CSV",
        help="plant the truth of the media listed here (columns sha256 or name, and label)",
    )
    parser.add_argument(
        "--answers",
        choices=["complete", "fail"],
        default="complete",
        help="how questions about a detect end (POST /detects/{uuid}/intelligence)",
    )
    parser.add_argument(
        "--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"]
    )


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; prints the base URL and the key first."""
    import uvicorn

    from .app import create_app
    from .config import SandboxConfig
    from .server import listening_socket

    config = SandboxConfig(
        api_keys=tuple(args.api_keys or ()),
        latency=args.latency,
        progress=args.progress,
        rate_limit=args.rate_limit or None,
        faults=args.faults,
        seed=args.seed,
        wallet_cents=args.wallet_cents,
        retry_after=args.retry_after,
        list_order=args.list_order,
        intelligence_lag=args.intelligence_lag,
        intelligence_fail=args.intelligence_fail,
        watermark_lag=args.watermark_lag,
        watermark_fail=args.watermark_fail,
        tracing_lag=args.tracing_lag,
        tracing_fail=args.tracing_fail,
        single_use_tokens=args.single_use_tokens,
        create_status=not args.no_create_status,
        visual_artifacts=args.visual_artifacts,
        hostile=args.hostile,
        plant_truth=args.plant_truth,
        truth_file=args.truth_file,
        answers=args.answers,
    )
    app = create_app(config)
    try:
        sock = listening_socket(args.host, args.port)
    except OSError as exc:
        print(
            f"resemble-nb sandbox: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr
        )
        return 2
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"Resemble sandbox API: http://{host}:{port}/api/v2", flush=True)
    for key in config.api_keys:
        print(f"API key: {key}", flush=True)
    print(f"Progress: {config.progress}; modes: {_describe(config)}", flush=True)
    print("Results are synthetic. Press Ctrl-C to stop.", flush=True)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level=args.log_level,
            access_log=args.log_level in ("info", "debug"),
            lifespan="on",
            loop="asyncio",
            http="h11",
            ws="none",
            timeout_graceful_shutdown=2,
        )
    )
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        app.close()
    return 0


def _describe(config: object) -> str:
    from .modes import Modes

    modes = Modes.from_config(config).as_dict()
    return ", ".join(f"{k}={v}" for k, v in modes.items())
