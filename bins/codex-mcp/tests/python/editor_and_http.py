"""Drives codex-mcp with the MCP Python SDK (v1): editor methods over stdio, and the `codex`
tool plus an editor method over streamable HTTP. Prints one JSON report.

Usage: editor_and_http.py stdio SERVER_BINARY
       editor_and_http.py http URL TOKEN PROMPT
(CODEX_HOME and the working directory are inherited.)
"""

import asyncio
import json
import os
import sys
from typing import Any

from pydantic import BaseModel, ConfigDict

from mcp import ClientSession, McpError, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamablehttp_client


class EditorRequest(BaseModel):
    """A request the SDK has no type for: sent as is."""

    method: str
    params: dict[str, Any]


class AnyResult(BaseModel):
    model_config = ConfigDict(extra="allow")


async def editor(session: ClientSession, method: str, params: dict[str, Any]) -> dict[str, Any]:
    result = await session.send_request(EditorRequest(method=method, params=params), AnyResult)
    return result.model_dump()


async def error_code(session: ClientSession, method: str, params: dict[str, Any]) -> int | None:
    try:
        await editor(session, method, params)
    except McpError as error:
        return error.error.code
    return None


async def over_stdio(server: str) -> dict[str, Any]:
    params = StdioServerParameters(command=server, args=[], env=dict(os.environ), cwd=os.getcwd())
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            created = await editor(session, "newConversation", {})
            status = await editor(session, "getAuthStatus", {"includeToken": True})
            listed = await editor(session, "listConversations", {"pageSize": 3})
            return {
                "conversationId": created.get("conversationId"),
                "model": created.get("model"),
                "authMethod": status.get("authMethod"),
                "listed": listed.get("items"),
                "flatItemCode": await error_code(
                    session,
                    "sendUserMessage",
                    {"conversationId": created.get("conversationId"), "items": [{"type": "text", "text": "x"}]},
                ),
                "unknownMethodCode": await error_code(session, "noSuchMethod", {}),
            }


async def over_http(url: str, token: str, prompt: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    async with streamablehttp_client(url, headers=headers) as (read, write, _session_id):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            tools = await session.list_tools()
            result = await session.call_tool("codex", {"prompt": prompt})
            status = await editor(session, "getAuthStatus", {})
            return {
                "server": init.serverInfo.name,
                "tools": [t.name for t in tools.tools],
                "isError": result.isError,
                "text": [c.text for c in result.content if c.type == "text"],
                "structured": result.structuredContent,
                "requiresOpenaiAuth": status.get("requiresOpenaiAuth"),
            }


async def main() -> None:
    if sys.argv[1] == "stdio":
        report = await over_stdio(sys.argv[2])
    else:
        report = await over_http(sys.argv[2], sys.argv[3], sys.argv[4])
    print(json.dumps(report))


asyncio.run(main())
