"""A multipart form read with a bound on the whole body, counted while it arrives: a client
that sends more (with or without a Content-Length) is cut off at the bound, so an upload too
large is refused before it fills a disk or the memory."""

from __future__ import annotations

from fastapi import HTTPException, Request
from starlette.datastructures import FormData, UploadFile
from starlette.types import Message

FORM_SLACK = 64 * 1024  # the form's other fields and the multipart framing


class _TooLarge(Exception):
    pass


def too_large(limit: int) -> HTTPException:
    megabytes = f"{limit / (1024 * 1024):g}"
    return HTTPException(
        status_code=413, detail=f"The file is larger than {megabytes} MB, the most allowed."
    )


async def read_form(request: Request, file_limit: int, max_fields: int) -> FormData:
    """The form, with at most one file, or 413 once the body passes `file_limit` plus slack."""
    limit = file_limit + FORM_SLACK
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(file_limit)
    received = 0

    async def receive() -> Message:
        nonlocal received
        message = await request.receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise _TooLarge
        return message

    bounded = Request(request.scope, receive)
    try:
        return await bounded.form(max_files=1, max_fields=max_fields, max_part_size=FORM_SLACK)
    except _TooLarge:
        raise too_large(file_limit) from None


async def file_bytes(upload: UploadFile, file_limit: int) -> bytes:
    """The uploaded file's bytes, or 413 when it is larger than `file_limit`."""
    data = await upload.read(file_limit + 1)
    if len(data) > file_limit:
        raise too_large(file_limit)
    return data
