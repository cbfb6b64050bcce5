"""CORS for browser frontends on other origins: the listed origins may call /graphql
(queries, multipart uploads), /uploads/ (tus) and /files/ with credentials; others
get no grant."""

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from gql_media.http import tus
from gql_media.http.graphql import PREFLIGHT_HEADERS
from gql_media.settings import CorsSettings

# What our clients send: JSON bodies, bearer tokens, and the non-simple header that
# multipart uploads must carry (which is why an upload is always preflighted).
ALLOW_HEADERS = (
    "content-type",
    "authorization",
    *PREFLIGHT_HEADERS,
    *tus.ALLOW_HEADERS,
)


def cors_middleware(settings: CorsSettings) -> Middleware:
    """Starlette's CORS middleware for the configured origins (none by default).

    WebSocket handshakes are not CORS requests; GraphQLApp checks their Origin
    against the same list.
    """
    return Middleware(
        CORSMiddleware,
        allow_origins=settings.allow_origins,
        allow_methods=["GET", "POST", "OPTIONS", "HEAD", "PATCH", "DELETE"],
        allow_headers=list(ALLOW_HEADERS),
        expose_headers=list(tus.EXPOSE_HEADERS),
        # Never with "*": the settings refuse it, so credentials stay per origin.
        allow_credentials=True,
        max_age=600,
    )
