#!/usr/bin/env python3
"""A loopback proxy for PostgreSQL's wire protocol that breaks connections between round trips.

Usage: cutting_proxy.py LISTEN_PORT TARGET_PORT MAX_ROUND_TRIP STATE_FILE

The n-th connection that sends anything (n = 1, 2, ...) is cut at its k-th round trip, k = n for
n <= MAX_ROUND_TRIP: when the client sends the Sync message that ends its k-th pipeline, the proxy
closes both sides instead of forwarding it, as a server that dies mid-poll would. Later
connections are forwarded untouched. A round trip is a Sync: enumwatch sends one pipeline per
round trip (the connection phase has none). STATE_FILE gets one line per cut: "connection k".
"""
import asyncio
import struct
import sys

from tcp_pump import pump

LISTEN, TARGET, MAX_CUT, STATE = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
SSL_REQUEST, GSS_REQUEST = 80877103, 80877104
accepted = 0


async def frontend(reader, writer, header, cut_at, connection):
    """Forwards the client's messages, counting Syncs; returns when cut or closed."""
    syncs = 0
    try:
        # Untyped messages first: SSL/GSS requests (answered by the server with one byte) and
        # the startup packet.
        while True:
            header = header or await reader.readexactly(8)
            length, code = struct.unpack("!ii", header)
            body = await reader.readexactly(length - 8)
            writer.write(header + body)
            await writer.drain()
            header = None
            if code not in (SSL_REQUEST, GSS_REQUEST):
                break
        while True:
            kind = await reader.readexactly(1)
            length_bytes = await reader.readexactly(4)
            (length,) = struct.unpack("!i", length_bytes)
            body = await reader.readexactly(length - 4)
            if kind == b"S":
                syncs += 1
                if syncs == cut_at:
                    with open(STATE, "a") as f:
                        f.write(f"{connection} {syncs}\n")
                    return
            writer.write(kind + length_bytes + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, OSError):
        return
    finally:
        writer.close()


async def serve(client_reader, client_writer):
    global accepted
    # Only clients that speak count (a readiness probe that connects and leaves does not).
    try:
        header = await client_reader.readexactly(8)
    except (asyncio.IncompleteReadError, ConnectionError, OSError):
        client_writer.close()
        return
    accepted += 1
    connection = accepted
    cut_at = connection if connection <= MAX_CUT else 0
    try:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", TARGET)
    except OSError:
        client_writer.close()
        return
    back = asyncio.ensure_future(pump(server_reader, client_writer))
    await frontend(client_reader, server_writer, header, cut_at, connection)
    if cut_at:
        client_writer.close()
        back.cancel()
    else:
        await back


async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", LISTEN)
    async with server:
        await asyncio.sleep(900)


asyncio.run(main())
