"""Reading the service's answers into models: one place for both clients."""

from __future__ import annotations

import json
from typing import Any

import httpx

from ._calls import Call
from ._page import DetectionPage
from ._uploads import Upload
from .errors import UnexpectedResponseError
from .models import Batch, Detection, Intelligence, MediaToken, Source

__all__ = ["REQUEST_ID_HEADER", "SANDBOX_HEADER", "Answers"]

SANDBOX_HEADER = "X-Resemble-Sandbox"
REQUEST_ID_HEADER = "X-Request-Id"
"""The response header naming a request (its real name is not documented: contract §10)."""


class Answers:
    """Parsing of answers, shared by :class:`Client` and :class:`AsyncClient`."""

    def _request_id(self, response: httpx.Response) -> str | None:
        value: str | None = response.headers.get(REQUEST_ID_HEADER)
        return value

    def _source(self, response: httpx.Response) -> Source:
        return "sandbox" if response.headers.get(SANDBOX_HEADER) == "1" else "api"

    def _body(self, call: Call, response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except (ValueError, json.JSONDecodeError):
            body = None
        if not isinstance(body, dict):
            raise _unexpected(call, response, "a JSON object body")
        return body

    def _item(self, call: Call, response: httpx.Response) -> dict[str, Any]:
        item = self._body(call, response).get("item")
        if not isinstance(item, dict):
            raise _unexpected(call, response, "an 'item' object")
        return item

    def _parse_token(self, call: Call, response: httpx.Response, upload: Upload) -> MediaToken:
        token = self._body(call, response).get("token")
        if not isinstance(token, str) or not token:
            raise UnexpectedResponseError(
                f"{call.method} {call.path} returned HTTP {response.status_code} without a token",
                method=call.method,
                path=call.path,
                status_code=response.status_code,
            )
        return MediaToken(
            token,
            filename=upload.filename,
            size=upload.size,
            source=self._source(response),
            request_id=self._request_id(response),
        )

    def _parse_detection(self, call: Call, response: httpx.Response) -> Detection:
        return Detection.from_json(
            self._item(call, response),
            self._source(response),
            request_id=self._request_id(response),
        )

    def _parse_batch(self, call: Call, response: httpx.Response) -> Batch:
        return Batch.from_json(
            self._item(call, response),
            self._source(response),
            request_id=self._request_id(response),
        )

    def _parse_page(self, call: Call, response: httpx.Response) -> DetectionPage:
        return DetectionPage.from_json(self._body(call, response), self._source(response))

    def _parse_intelligence(self, call: Call, response: httpx.Response) -> Intelligence:
        report = Intelligence.from_json(self._item(call, response), self._source(response))
        assert report is not None  # _item guarantees a dict
        return report


def _unexpected(call: Call, response: httpx.Response, missing: str) -> UnexpectedResponseError:
    return UnexpectedResponseError(
        f"{call.method} {call.path} returned HTTP {response.status_code} without {missing}",
        method=call.method,
        path=call.path,
        status_code=response.status_code,
    )
