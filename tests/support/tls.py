"""One TLS context for the tests' HTTP clients.

httpx loads the CA bundle for every client it makes (tens of milliseconds of CPU);
the tests make thousands of short-lived clients, nearly all for plain http on
loopback, so they share this one, which is what httpx would build anyway.
"""

import httpx

TLS = httpx.create_ssl_context()
