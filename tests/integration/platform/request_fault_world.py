"""A server-mode deployment whose PostgreSQL and Redis a test may take down: the app's database
is a fresh one reached through a TcpProxy, its cache a private redis-server; one KB with one
ready document, a reader with an API token and a browser session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from lumikb_app.adapters.fake_embedder import FakeEmbedder
from lumikb_app.adapters.redis_cache import RedisCache
from lumikb_app.container import get_container, reset_container
from lumikb_app.db.tables import User
from lumikb_app.services.accounts import api_tokens, auth
from lumikb_app.services.knowledge_bases import kbs
from lumikb_app.settings import Settings
from tests.conftest import fresh_pg_database
from tests.integration.documents.ingest_helpers import upload_bytes, wait_until_settled
from tests.integration.platform.fault_backends import TcpProxy, proxy_to
from tests.integration.platform.private_redis import PrivateRedis, private_redis

PASSWORD = "a long enough secret"
HANDBOOK = (
    "# Release handbook\n\nRelease builds are signed with the hardware key kept by the "
    "release manager. Every release checklist starts with a signed build.\n"
)


@dataclass
class FaultWorld:
    database: TcpProxy  # down() and the database is gone for the app
    redis: PrivateRedis  # stop() and the cache is gone
    user: User
    kb_id: str
    api_token: str
    session_token: str


@contextmanager
def fault_world(log_dir: Path) -> Iterator[FaultWorld]:
    with (
        fresh_pg_database() as direct_url,
        proxy_to(5432) as proxy,
        private_redis(log_dir) as redis,
        pytest.MonkeyPatch.context() as env,
    ):
        for name in Settings.model_fields:
            env.delenv(name, raising=False)
        env.setenv("DATA_DIR", str(log_dir / "data"))
        env.setenv("LUMIKB_ENV", "test")
        env.setenv("DATABASE_URL", direct_url.replace(":5432/", f":{proxy.port}/"))
        reset_container()
        from lumikb_app.db.migrate import upgrade

        upgrade()
        container = get_container()
        embedder = FakeEmbedder()
        env.setattr(container, "embedder_for", lambda model: embedder)
        # The cache on the private Redis. REDIS_URL itself would also move jobs to RQ, which
        # needs a worker process; the request path reads Redis only through the cache.
        env.setitem(container.__dict__, "cache", RedisCache(redis.url))
        with container.db.session() as session:
            user = auth.create_user(
                session, email="reader@x.io", display_name="Reader", password=PASSWORD
            )
            session.commit()
        kb_id = kbs.create_kb(user, "Engineering").id
        handbook = upload_bytes(user, kb_id, "handbook.md", HANDBOOK.encode())
        settled = wait_until_settled([handbook.stored_id])
        assert {doc.status for doc in settled.values()} == {"ready"}
        try:
            yield FaultWorld(
                database=proxy,
                redis=redis,
                user=user,
                kb_id=kb_id,
                api_token=api_tokens.create_token(user, "script")[0],
                session_token=auth.login(user.email, PASSWORD).token,
            )
        finally:
            proxy.up()
            reset_container()
