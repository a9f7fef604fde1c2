"""One direction of a loopback TCP proxy, shared by the test proxies in this folder."""


async def pump(reader, writer, before_write=None):
    """Copies reader to writer until either side closes; awaits before_write() before each write."""
    try:
        while data := await reader.read(65536):
            if before_write:
                await before_write()
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()
