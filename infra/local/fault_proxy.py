"""A TCP proxy that can drop its link: the local stand-in for "SNS is unreachable".

The outbox relay of the local stack reaches SNS (moto) only through this proxy. While the file
given by --down-flag exists, every connection is refused at once (closed without a byte), exactly
what a client sees when a service is down. Remove the file and traffic flows again.
"""
import argparse
import asyncio
import os


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", type=int, required=True)
    ap.add_argument("--target", type=int, required=True)
    ap.add_argument("--down-flag", required=True)
    args = ap.parse_args()

    async def handle(client_r, client_w):
        if os.path.exists(args.down_flag):
            client_w.close()
            return
        try:
            up_r, up_w = await asyncio.open_connection("127.0.0.1", args.target)
        except OSError:
            client_w.close()
            return
        await asyncio.gather(pipe(client_r, up_w), pipe(up_r, client_w))

    server = await asyncio.start_server(handle, "127.0.0.1", args.listen)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
