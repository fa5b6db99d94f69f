"""PostgreSQL, Redis and nginx for the tests: instances of their own, on free loopback ports.

The classes live in launcher/local_services.py (the scaled stack, `python -m launcher --scaled`,
starts the same throw-away instances when no URLs are configured); this module is the tests' name
for them. Used by the session fixtures ``postgres_server`` and ``redis_server`` (tests/conftest.py)
and the scaled-stack fixture. A missing binary is ``ServiceMissing`` saying what to install; the
fixtures turn that into a failure, never a skip.
"""

from launcher.local_services import (  # noqa: F401
    INSTALL_HINT,
    NGINX_INSTALL_HINT,
    NginxServer,
    PostgresServer,
    RedisServer,
    ServiceMissing,
    free_port,
    nginx_binary,
    nginx_site,
    postgres_bin_dir,
    redis_server_binary,
)
