"""An MCP server for the toolkit's tests, on the official Python SDK (v1 line).

Usage: test_server.py [--http PORT] [--token TOKEN] [--startup-delay SECS] [--name NAME]

stdio by default; with --http it serves streamable HTTP on 127.0.0.1:PORT/mcp, and with
--token it answers 401 to any request without `Authorization: Bearer TOKEN`.
"""

import argparse
import asyncio
import os
import socket
import sys
import time

from mcp.server.fastmcp import FastMCP, Image

parser = argparse.ArgumentParser()
parser.add_argument("--http", type=int)
parser.add_argument("--token")
parser.add_argument("--startup-delay", type=float, default=0.0)
parser.add_argument("--name", default="test")
args = parser.parse_args()

if args.startup_delay:
    time.sleep(args.startup_delay)

mcp = FastMCP(args.name, port=args.http or 0, log_level="WARNING")

# A 1x1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e5272de80000000049454e44ae426082"
)


@mcp.tool()
def add(a: int, b: int) -> int:
    """Adds two numbers."""
    return a + b


@mcp.tool()
def echo(text: str) -> str:
    """Returns the text upper-cased."""
    return text.upper()


@mcp.tool()
def image() -> Image:
    """Returns a tiny PNG."""
    return Image(data=PNG, format="png")


@mcp.tool()
def fail() -> str:
    """Always fails."""
    raise ValueError("this tool always fails")


@mcp.tool()
async def slow(seconds: float) -> str:
    """Sleeps, then answers."""
    await asyncio.sleep(seconds)
    return "done"


@mcp.tool()
def crash() -> str:
    """Exits the server process."""
    os._exit(3)


@mcp.tool()
def probe(path: str, port: int) -> str:
    """Tries to write a file and to open a TCP connection; reports what happened."""
    results = []
    try:
        with open(path, "w") as f:
            f.write("written by an MCP server")
        results.append("write: ok")
    except OSError as e:
        results.append(f"write: denied ({e.strerror})")
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        s.close()
        results.append("connect: ok")
    except OSError as e:
        results.append(f"connect: denied ({e.strerror or e})")
    return "; ".join(results)


@mcp.resource("res://greeting", mime_type="text/plain")
def greeting() -> str:
    """A greeting."""
    return "hello from a resource"


@mcp.resource("res://item/{item_id}")
def item(item_id: str) -> str:
    """One item."""
    return f"item {item_id}"


def serve_http():
    import uvicorn
    from starlette.responses import PlainTextResponse

    app = mcp.streamable_http_app()
    if args.token:
        inner = app
        expected = f"Bearer {args.token}".encode()

        async def app(scope, receive, send):  # noqa: F811
            if scope["type"] == "http":
                headers = dict(scope.get("headers") or [])
                if headers.get(b"authorization") != expected:
                    response = PlainTextResponse("missing or wrong bearer token", status_code=401)
                    await response(scope, receive, send)
                    return
            await inner(scope, receive, send)

    uvicorn.run(app, host="127.0.0.1", port=args.http, log_level="warning")


if args.http:
    serve_http()
else:
    mcp.run()
