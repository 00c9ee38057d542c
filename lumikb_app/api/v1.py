"""REST API v1: search and chat for scripts and integrations, with personal API tokens."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["v1"])
