"""``genloom serve``: the HTTP server (OpenAI-compatible API and the studio)."""

from __future__ import annotations

import click


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port.")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
@click.option("--ray", "ray_address", is_flag=False, flag_value="local", default=None, metavar="[ADDRESS]",
              help="Run jobs on Ray: a local cluster, or --ray=ADDRESS ('auto', HOST:PORT, ray://...).")
def serve(host: str, port: int, log_level: str, ray_address: str | None) -> None:
    """Serve the OpenAI-compatible API at /v1 and the web studio at /.

    \b
    API keys: GENLOOM_API_KEYS=key1,key2 or GENLOOM_API_KEYS_FILE=path.
    Other settings: see 'docs/server.md' (queue size, idle unload, limits).
    """
    import uvicorn

    from genloom.server.app import create_app, is_loopback
    from genloom.server.settings import Settings

    settings = Settings.from_env()
    settings.ray_address = ray_address
    if not is_loopback(host) and not settings.api_keys:
        click.secho(
            f"Warning: serving on {host} without API keys: anyone who can reach this machine can use it. "
            "Set GENLOOM_API_KEYS or GENLOOM_API_KEYS_FILE.", fg="yellow", err=True)
    app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"genloom studio: http://{shown}:{port}/   API: http://{shown}:{port}/v1", err=True)
    uvicorn.run(app, host=host, port=port, log_level=log_level, timeout_graceful_shutdown=5)
