#!/usr/bin/env python3
"""A real SMTP sink for end-to-end tests: aiosmtpd on 127.0.0.1.

Every message it accepts is written to DIR as NNNNNN.eml (the bytes as
received) with NNNNNN.json beside it ({"mail_from", "rcpt_tos", "peer"}).
The .json is written last, so a reader that sees it sees the whole message.
Prints "PORT <n>" on standard output once it listens.

Usage: smtp_sink.py --dir DIR [--port 0] [--reject ADDR]...
  --reject ADDR   answer 550 to RCPT TO:<ADDR> (to test bounces)
  --tempfail ADDR answer 451 to RCPT TO:<ADDR> (to test retries)
"""
import argparse
import asyncio
import itertools
import json
import os
import socket
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class Handler:
    def __init__(self, directory, reject, tempfail):
        self.directory = directory
        self.reject = {a.lower() for a in reject}
        self.tempfail = {a.lower() for a in tempfail}
        existing = [int(n[:6]) for n in os.listdir(directory) if n.endswith(".json")]
        self.counter = itertools.count(max(existing, default=0) + 1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 No such user here"
        if address.lower() in self.tempfail:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        n = next(self.counter)
        base = os.path.join(self.directory, f"{n:06d}")
        data = envelope.original_content or envelope.content
        with open(base + ".eml", "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "peer": str(session.peer),
        }
        tmp = base + ".json.tmp"
        with open(tmp, "w") as f:
            json.dump(meta, f)
        os.rename(tmp, base + ".json")
        return "250 OK stored"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--reject", action="append", default=[])
    p.add_argument("--tempfail", action="append", default=[])
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    port = args.port
    if port == 0:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
    handler = Handler(args.dir, args.reject, args.tempfail)
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        enable_SMTPUTF8=True,
        decode_data=False,
        data_size_limit=200 * 1024 * 1024,
    )
    controller.start()
    print(f"PORT {port}", flush=True)
    try:
        # Live until our parent closes stdin or kills us.
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
