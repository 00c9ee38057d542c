"""Rendered PDF pages for the document viewer, served only to users who may read the KB."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/documents")
