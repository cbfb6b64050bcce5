"""GET /metrics: the Prometheus text format of this process, or of every process
sharing PROMETHEUS_MULTIPROC_DIR, with the database gauges read at scrape time.

Only for the people who run the server: with GQL_MEDIA_METRICS__TOKEN set it asks
for `Authorization: Bearer <token>`; without it, only loopback clients get in.
"""

import hmac
import ipaddress

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from gql_media.kit.metrics import exposition
from gql_media.services import gauges
from gql_media.settings import MetricsSettings


def metrics_route(settings: MetricsSettings) -> Route:
    async def metrics(request: Request) -> Response:
        if not _allowed(request, settings):
            return PlainTextResponse("metrics need the metrics token", 403)
        await gauges.refresh()
        return Response(exposition(), media_type=CONTENT_TYPE_LATEST)

    return Route("/metrics", metrics, methods=["GET"])


def _allowed(request: Request, settings: MetricsSettings) -> bool:
    if settings.token:
        given = request.headers.get("authorization", "").removeprefix("Bearer ")
        return hmac.compare_digest(given.encode(), settings.token.encode())
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
