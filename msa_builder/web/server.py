"""Start the web app with uvicorn: `msa serve`."""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable
from pathlib import Path

from .. import api
from ..errors import ServeError, WorkspaceError, brief
from .config import WebConfig


def serve(workspace: Path | None, *, host: str = "127.0.0.1", port: int = 8000, create: bool = False,
          admin: str | None = None, admin_password: Callable[[], str] | None = None, behind_https: bool = False,
          announce: Callable[[str], None] = print) -> None:
    """Serve the workspace's web app until interrupted; optionally create the workspace and a first admin.

    `create` makes the workspace (as `msa init`) when `workspace` is not one yet, and `admin` adds
    an admin user of that name when the ledger has none (its password from `admin_password`), so a
    fresh clone is two commands from a running app.
    """
    import uvicorn

    if create and workspace is not None and not (workspace / "msa.toml").exists():
        api.init_workspace(workspace)
        announce(f"created workspace {workspace} (fill in its provider.yaml before the first build)")
    config = WebConfig.for_workspace(workspace, behind_https=behind_https)
    if config.settings.workspace is None:
        raise WorkspaceError("`msa serve` needs a workspace: its ledger holds the users", field="--workspace",
                             hint="pass --workspace DIR (add --init to create it)")
    if admin is not None and admin not in {u.name for u in api.list_users(ledger=config.ledger)}:
        api.add_user(admin, role="admin", ledger=config.ledger, password=admin_password() if admin_password else None,
                     by="msa serve")
        announce(f"added admin {admin}")
    if not api.list_users(ledger=config.ledger):
        raise WorkspaceError("no users yet, so nobody could sign in", field="--admin",
                             hint="pass --admin NAME, or add one with `msa user add NAME --role admin`")
    from .app import create_app

    listener = listen(host, port)
    announce(f"msa serve: http://{host}:{port}/ (workspace {config.settings.workspace.root})")
    server = uvicorn.Server(uvicorn.Config(create_app(config), host=host, port=port, proxy_headers=behind_https,
                                           forwarded_allow_ips="*" if behind_https else None, log_level="warning"))
    with listener:
        server.run(sockets=[listener])


_HOST_HINT = "give an address of this machine, e.g. 127.0.0.1 or 0.0.0.0 for every interface"


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to HOST:PORT, or ServeError saying why not.

    Bound here, before the address is announced, so an unknown host or a port in use is our
    one-screen error (exit 2) rather than uvicorn's log line after "serving on ..." (exit 3).
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except (OSError, UnicodeError) as exc:
        raise ServeError(f"cannot listen on {brief(host)}: {getattr(exc, 'strerror', None) or exc}", field="--host",
                         hint=_HOST_HINT) from None
    listener = socket.socket(family, kind, proto)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
    except OSError as exc:
        listener.close()
        busy = exc.errno in (errno.EADDRINUSE, errno.EACCES)
        raise ServeError(f"cannot listen on {brief(host)} port {port}: {exc.strerror or exc}",
                         field="--port" if busy else "--host",
                         hint="another program may be using it, or it needs privileges: choose another --port"
                         if busy else _HOST_HINT) from None
    return listener
