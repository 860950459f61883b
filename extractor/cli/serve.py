"""``nianbao serve``: the HTTP API and the review page over a results store."""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import ConfigError
from ..service.settings import DEFAULT_MAX_UPLOAD, bind_settings
from ._common import err_console, user_errors
from .batch import DB_HELP


@user_errors
def command(
    host: Annotated[str, typer.Option("--host", help="Address to bind; anything but loopback needs NIANBAO_TOKEN")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option("--port", help="TCP port")] = 8000,
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    max_upload_mb: Annotated[
        int, typer.Option("--max-upload-mb", help="Largest upload POST /v1/extract accepts (MiB); larger gets 413")
    ] = DEFAULT_MAX_UPLOAD // (1024 * 1024),
) -> None:
    """Serve the JSON API (/v1, OpenAPI at /docs) and the review page (/) over the store."""
    settings = bind_settings(host, db, max_upload_mb * 1024 * 1024)
    try:
        import uvicorn

        from ..service.app import create_app
    except ImportError as e:
        raise ConfigError(f"nianbao serve needs the service extra: pip install 'nianbao[service]' ({e.name})") from e
    app = create_app(settings)
    where = f"http://{host}:{port}/" if ":" not in host else f"http://[{host}]:{port}/"
    err_console.print(f"review page {where} · API {where}docs · store {settings.db or '$NIANBAO_DB / nianbao.db'}",
                      highlight=False, markup=False)
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
