"""The ASGI application: the web console at /, GraphQL (with GraphiQL) at /graphql,
resumable uploads (tus) under /uploads/, signed local files under /files/, liveness
(/healthz), readiness (/readyz) and Prometheus metrics (/metrics). `create_app` is
the uvicorn factory."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute

from gql_media import datadir_lock, db, startup
from gql_media.http.console import console_routes
from gql_media.http.cors import cors_middleware
from gql_media.http.files import files_route
from gql_media.http.graphiql import vendor_route
from gql_media.http.graphql import GraphQLApp
from gql_media.http.metrics import metrics_route
from gql_media.http.readiness import readiness_route
from gql_media.http.request_ids import RequestIds
from gql_media.http.tus import tus_routes
from gql_media.http.webhooks import webhook_routes
from gql_media.kit import tracing
from gql_media.resolvers.root import build_schema
from gql_media.services.assets import retention
from gql_media.services.jobs.lifecycle import recover
from gql_media.settings import Settings
from gql_media.storage.local import LocalStorage
from gql_media.wiring import wire

logger = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None, *, manage_db: bool = True
) -> Starlette:
    """Build the app; backends start in the lifespan and stop with it.

    Args:
        settings: defaults to the environment's.
        manage_db: open and close the database connections in the lifespan; off
            when the caller (a test session) holds them already.
    """
    settings = settings or startup.settings_or_exit()
    settings.ensure_dirs()
    tracing.configure(
        settings.tracing.exporter, "api", endpoint=settings.tracing.otlp_endpoint
    )
    runtime = wire(settings)
    graphql = GraphQLApp(build_schema(tracing=tracing.enabled()), runtime)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Embedded mode: recovery below re-queues RUNNING jobs, which must be
        # this data dir's own, so one server holds it (`gql-media serve` took
        # the lock already; taking it again in-process is a no-op).
        lock = None if settings.redis_url else datadir_lock.acquire(settings.data_dir)
        try:
            if manage_db:
                await db.connect(settings.db_url)
            await runtime.storage.start()
            await runtime.queue.start()
            await recover(runtime)
            logger.info("gql-media ready (storage: %s)", settings.storage.backend)
            # Retention runs beside the server in the embedded mode (arq's cron on
            # the workers in the distributed mode).
            purger = (
                asyncio.create_task(retention.purge_daily(runtime))
                if settings.redis_url is None
                and settings.retention.purge_archived_after_days is not None
                else None
            )
            try:
                yield
            finally:
                if purger is not None:
                    purger.cancel()
                    await asyncio.gather(purger, return_exceptions=True)
                await runtime.close()
                if manage_db:
                    await db.close()
        finally:
            if lock is not None:
                lock.release()

    routes: list[BaseRoute] = [
        *console_routes(),
        Route("/healthz", _health),
        readiness_route(runtime),
        metrics_route(settings.metrics),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
    ]
    routes.extend(webhook_routes(runtime))
    routes.extend(tus_routes(runtime))
    routes.append(vendor_route())
    if isinstance(runtime.storage, LocalStorage):
        routes.append(files_route(runtime.storage, settings.signing_key()))
    app = Starlette(
        routes=routes,
        middleware=[Middleware(RequestIds), cors_middleware(settings.cors)],
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    return app


async def _health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})
