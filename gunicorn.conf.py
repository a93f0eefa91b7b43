"""Gunicorn's settings for Tremplin: `gunicorn config.wsgi` reads this file from the project folder.

Everything a deployment changes comes from the environment (docs/deploy.md)."""

import multiprocessing
import os

from gunicorn.glogging import Logger
from pythonjsonlogger.json import JsonFormatter

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Two processes a core, plus one, unless WEB_CONCURRENCY says otherwise.
workers = int(os.environ.get("WEB_CONCURRENCY", str(multiprocessing.cpu_count() * 2 + 1)))
# A request that takes longer is killed: imports and exports above their thresholds run in the worker instead.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On restart, requests in flight get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# The proxies whose X-Forwarded-Proto (https) is believed; Django reads X-Forwarded-For itself (TRUSTED_PROXY_COUNT).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Workers are recycled now and then, so a slow leak never grows for days.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"


JSON_LOGS = os.environ.get("LOG_FORMAT", "json") == "json"


class JsonAccessLogger(Logger):
    """One JSON object per request, like Django's own logs in production (LOG_FORMAT=plain: gunicorn's usual lines).
    The query string is left out: links in e-mails (follow-up questionnaires, parents' consent) carry a token there."""

    def setup(self, cfg):
        super().setup(cfg)
        if JSON_LOGS:
            formatter = JsonFormatter(
                "%(levelname)s %(name)s %(message)s",
                rename_fields={"levelname": "level", "name": "logger"},
                timestamp="time",
            )
            for handler in self.access_log.handlers + self.error_log.handlers:
                handler.setFormatter(formatter)

    def access(self, resp, req, environ, request_time):
        if not JSON_LOGS:
            return super().access(resp, req, environ, request_time)
        if not self.access_log_enabled:
            return
        status = str(resp.status).split(None, 1)[0]
        headers = {name.lower(): value for name, value in resp.headers}
        self.access_log.info(
            "request",
            extra={
                "method": environ.get("REQUEST_METHOD"),
                "path": environ.get("PATH_INFO"),
                "status": int(status) if status.isdigit() else status,
                "bytes": getattr(resp, "sent", None),
                "duration_ms": round(request_time.total_seconds() * 1000, 1),
                "remote_addr": environ.get("REMOTE_ADDR"),
                "request_id": headers.get("x-request-id"),
                "user_agent": environ.get("HTTP_USER_AGENT"),
            },
        )


logger_class = JsonAccessLogger
