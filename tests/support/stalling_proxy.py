#!/usr/bin/env python3
"""A TCP proxy to 127.0.0.1:TARGET that can partition: while the file FLAG exists it forwards
nothing in either direction and holds new connections unanswered, without closing anything (a
firewall dropping packets); once the file is gone it forwards again. Runs for 15 minutes.

Usage: stalling_proxy.py LISTEN_PORT TARGET_PORT FLAG"""
import asyncio, os, sys
from tcp_pump import pump
listen, target, flag = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
async def while_stalled():
    while os.path.exists(flag):
        await asyncio.sleep(0.05)
async def serve(client_reader, client_writer):
    await while_stalled()
    try:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pump(client_reader, server_writer, while_stalled),
                         pump(server_reader, client_writer, while_stalled))
async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", listen)
    async with server:
        await asyncio.sleep(900)
asyncio.run(main())
