"""Calls the `codex` tool of codex-mcp through the MCP Python SDK (v1) and prints the result.

Usage: codex_call.py SERVER_BINARY PROMPT  (CODEX_HOME and the working directory are inherited)
"""

import asyncio
import json
import os
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


async def main() -> None:
    server, prompt = sys.argv[1], sys.argv[2]
    params = StdioServerParameters(command=server, args=[], env=dict(os.environ), cwd=os.getcwd())
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            tools = await session.list_tools()
            result = await session.call_tool("codex", {"prompt": prompt})
            print(json.dumps({
                "server": init.serverInfo.name,
                "tools": [t.name for t in tools.tools],
                "isError": result.isError,
                "text": [c.text for c in result.content if c.type == "text"],
                "structured": result.structuredContent,
            }))


asyncio.run(main())
