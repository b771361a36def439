"""The synchronous client: every endpoint of :mod:`._endpoints` and :mod:`._asking`,
run to the end as a blocking call."""

from __future__ import annotations

import time

import httpx

from .._core.closing import Closing
from . import _asking, _endpoints, _transport
from ._base import BaseClient
from ._calls import Call
from ._sync import blocking, blocking_iter

__all__ = ["Client"]


class Client(BaseClient[httpx.Client], Closing):
    """A client for Resemble AI's deepfake detection API (v2).

    One method per endpoint; answers come back as parsed models (:class:`Detection`,
    :class:`Batch`...) that keep the raw JSON. Failed calls raise a
    :class:`ResembleError` subclass. Transient failures are retried (see ``max_retries``);
    a request that creates a detect is never blindly repeated once it may have reached
    the server (:class:`OutcomeUnknownError` is raised instead).

    Example::

        from resemble_nb.api import Client

        with Client() as client:                      # key from RESEMBLE_API_KEY
            token = client.secure_upload("evidence/call.wav")
            job = client.detect(media_token=token, intelligence=True)
            job = client.wait_for(job, timeout=300)   # polls with backoff
            print(job.label, job.score)               # Label.LIKELY_FAKE 0.71

    Args:
        api_key: Your API key. Defaults to the ``RESEMBLE_API_KEY`` environment variable.
            It is kept in a :class:`Secret` and never shown in a repr, log or error.
        base_url: Defaults to ``RESEMBLE_BASE_URL``, else ``https://app.resemble.ai/api/v2``.
        timeout: Seconds (or an ``httpx.Timeout``) for each request. Calls that wait for a
            result on the server (``detect(wait=True)``, ``intelligence()``) use a longer
            read timeout of their own. The read timeout also bounds each answer's body as
            a whole (120 s when it is ``None``): a service that stops half-way is named.
        max_retries: Retries after a connection failure, 429 or 503 (and 500, 502, 504 or
            a dropped answer for requests that are safe to repeat: reads, deletes, uploads),
            with exponential backoff and jitter, honouring ``Retry-After`` up to 60 s.
            ``0`` turns retries off.
        http_client: An ``httpx.Client`` to send with (for custom transports...). The
            client does not close one it was given. Without one, it honours
            ``HTTP_PROXY``, ``HTTPS_PROXY``, ``NO_PROXY``, ``SSL_CERT_FILE`` and
            ``REQUESTS_CA_BUNDLE``, refuses an answer over 64 MB decoded, and names a
            service that stops answering (no byte, or not the whole body, within the
            read timeout).

    Raises:
        MissingAPIKeyError: No key was given and ``RESEMBLE_API_KEY`` is not set.

    Attributes:
        is_sandbox: ``True`` once an answer came from the local sandbox (synthetic scores).
        stats: Request and retry counters (:class:`ClientStats`).
    """

    _sleep = staticmethod(time.sleep)

    def close(self) -> None:
        """Close the connections (unless ``http_client`` was given). Idempotent."""
        if self._owns_http:
            self._http.close()

    def _new_http(self, timeout: httpx.Timeout) -> httpx.Client:
        return _transport.http_client(timeout=timeout)

    async def _request(self, call: Call) -> httpx.Response:
        with call.request_kwargs() as kwargs:
            return self._http.request(
                call.method, self._url(call.path), headers=self._headers(call), **kwargs
            )

    async def _pause(self, seconds: float) -> None:
        self._sleep(seconds)

    secure_upload = blocking(_endpoints.secure_upload)
    detect = blocking(_endpoints.detect)
    get_detect = blocking(_endpoints.get_detect)
    list_detects = blocking(_endpoints.list_detects)
    iter_detects = blocking_iter(_endpoints.iter_detects)
    delete_detect = blocking(_endpoints.delete_detect)
    detect_batch = blocking(_endpoints.detect_batch)
    get_batch = blocking(_endpoints.get_batch)
    wait_for = blocking(_endpoints.wait_for)
    intelligence = blocking(_asking.intelligence)
    get_intelligence = blocking(_asking.get_intelligence)
    list_intelligences = blocking(_asking.list_intelligences)
    ask = blocking(_asking.ask)
    get_question = blocking(_asking.get_question)
    wait_for_answer = blocking(_asking.wait_for_answer)
    get_feedback = blocking(_asking.get_feedback)
    send_feedback = blocking(_asking.send_feedback)
    delete_feedback = blocking(_asking.delete_feedback)
    get_audio_source_tracing = blocking(_asking.get_audio_source_tracing)
    list_audio_source_tracings = blocking(_asking.list_audio_source_tracings)
