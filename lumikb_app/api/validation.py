"""FastAPI's 422 answer, safe for any input: it echoes what was refused, and a lone surrogate
(JSON "\\ud800") in it made the answer itself fail to encode, so the caller got a 500.

The answer is rendered with non-ASCII escaped, and a string that cannot be decoded as text is
named with the same words as every other edge (domain.text.UNSTORABLE).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from lumikb_app.domain.text import UNSTORABLE


class AsciiJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


async def unprocessable(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = jsonable_encoder(exc.errors())
    for error in errors:
        if error.get("type") == "string_unicode":
            error["msg"] = UNSTORABLE
    return AsciiJSONResponse({"detail": errors}, status_code=422)
