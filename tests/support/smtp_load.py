#!/usr/bin/env python3
"""Sends N small messages to an SMTP server with Python's smtplib over a few
threads, and appends the unique token of every message answered 250 to
ACCEPTED (one per line, flushed and synced at once). Connection errors are
expected (the server may be killed mid-run) and only counted.

PORT may be a comma-separated list (several nodes, as behind a load
balancer): each thread starts on one, in turn, and moves to the next when
a connection fails.

Usage: smtp_load.py HOST PORT[,PORT...] N ACCEPTED [THREADS]
"""
import os
import smtplib
import sys
import threading
import time
import uuid

host, n, accepted_path = sys.argv[1], int(sys.argv[3]), sys.argv[4]
ports = [int(p) for p in sys.argv[2].split(",")]
threads = int(sys.argv[5]) if len(sys.argv) > 5 else 4
lock = threading.Lock()
counter = iter(range(n))
errors = 0


def next_index():
    with lock:
        return next(counter, None)


def worker(first):
    global errors
    at = first
    out = open(accepted_path, "a")
    while True:
        i = next_index()
        if i is None:
            return
        token = f"load-{i}-{uuid.uuid4().hex}"
        msg = (
            f"From: a@zorg.nl\r\nTo: b@example.com\r\nSubject: {token}\r\n"
            f"Message-ID: <{token}@zorg.nl>\r\n\r\nGewoon bericht {i}.\r\n"
        )
        # While the server is down (killed, restarting) keep trying the same
        # message for a while; an answer other than 250 counts as an error.
        for attempt in range(300):
            try:
                with smtplib.SMTP(host, ports[at % len(ports)], timeout=30) as s:
                    s.sendmail("a@zorg.nl", ["b@example.com"], msg)
                with lock:
                    out.write(token + "\n")
                    out.flush()
                    os.fsync(out.fileno())
                break
            except (ConnectionError, smtplib.SMTPServerDisconnected, OSError):
                with lock:
                    errors += 1
                at += 1
                time.sleep(0.1)
            except smtplib.SMTPException:
                with lock:
                    errors += 1
                break


ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print(f"errors {errors}")
