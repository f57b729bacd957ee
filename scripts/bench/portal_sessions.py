#!/usr/bin/env python3
"""Makes signed-in portal sessions for the portal load benchmark.

Sends MESSAGES secure mails (a client's BSN, an HTML body, a PDF) over
SMTP to zegel, each to PER_MESSAGE external recipients (each recipient gets
one package), then for every package walks the recipient's way in as a
browser would: GET the link (session cookie and form token), POST /code,
the six-digit code from the SMTP sink's stored mail, POST /verify (with
`[portal] second_factor = "none"` that is all), and one GET /read so the
first view (audit row, read receipt) is behind us. Writes one line per
session to OUT: `<path of the read page> <zegel_r cookie value>`.

Only the standard library; the sink is tests/support/smtp_sink.py (one
NNNNNN.eml + NNNNNN.json per mail, .json written last).

Usage: portal_sessions.py --smtp-port P --http-port H --sink-dir D
                          [--messages 4] [--per-message 5] --out FILE
"""
import argparse
import base64
import email
import email.policy
import glob
import http.client
import json
import os
import re
import smtplib
import sys
import time
import urllib.parse

WAIT = 60.0
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def secure_mail(n, rcpts):
    """A realistic secure mail: about 6 KB of HTML (a transfer letter with a
    table), a BSN, a remote image (blocked by the portal), a PDF."""
    rows = "".join(
        f"<tr><td>2026-11-{d:02d}</td><td>Controle bloedsuiker, medicatie aangepast "
        f"(metformine {500 + 50 * d} mg)</td><td>wijkverpleging</td></tr>"
        for d in range(1, 21)
    )
    html = (
        "<html><body><p>Beste collega,</p>"
        "<p>Hierbij de overdracht van mevrouw Fatima el Amrani, BSN 111222333, "
        "geboren 12-03-1948, wonend aan de Dorpsstraat 12 te Utrecht. Zij heeft "
        "diabetes mellitus type 2 en sinds kort ook hartfalen (NYHA II).</p>"
        "<p>Graag uw aandacht voor de <b>medicatie</b> en de <i>voetzorg</i>; "
        "zie het verslag in de bijlage.</p>"
        f"<table><tr><th>Datum</th><th>Wat</th><th>Wie</th></tr>{rows}</table>"
        '<img src="https://tracker.example/p.gif">'
        "<p>Met vriendelijke groet,<br>Jan Jansen<br>Wijkverpleegkundige</p>"
        "</body></html>"
    )
    pdf = base64.encodebytes(PDF).decode().replace("\n", "\r\n")
    html = html.replace("<tr>", "\r\n<tr>").replace("<p>", "\r\n<p>")
    return (
        f"From: Jan Jansen <jan@zorg.nl>\r\nTo: {', '.join(rcpts)}\r\n"
        f"Subject: Overdracht {n}\r\nMessage-ID: <bench-{n}-{time.time_ns()}@zorg.nl>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n"
        "--zz\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        f"{html}\r\n"
        "--zz\r\nContent-Type: application/pdf\r\n"
        "Content-Disposition: attachment; filename=\"verslag.pdf\"\r\n"
        f"Content-Transfer-Encoding: base64\r\n\r\n{pdf}\r\n--zz--\r\n"
    )


def sink_mails(sink_dir):
    """Every stored mail: (rcpt_tos, decoded text)."""
    out = []
    for meta_path in sorted(glob.glob(os.path.join(sink_dir, "*.json"))):
        with open(meta_path) as f:
            meta = json.load(f)
        with open(meta_path[:-5] + ".eml", "rb") as f:
            msg = email.message_from_bytes(f.read(), policy=email.policy.default)
        text = []
        for part in msg.walk():
            if part.get_content_maintype() == "text":
                try:
                    text.append(part.get_content())
                except (LookupError, ValueError):
                    pass
        out.append(([r.lower() for r in meta["rcpt_tos"]], "\n".join(text)))
    return out


def wait_for(sink_dir, rcpt, pattern, count=1):
    """The `count`th match of `pattern` in mails to `rcpt` (waits)."""
    deadline = time.time() + WAIT
    while True:
        found = [
            m
            for rcpts, text in sink_mails(sink_dir)
            if rcpt in rcpts
            for m in [re.search(pattern, text)]
            if m
        ]
        if len(found) >= count:
            return found[count - 1]
        if time.time() > deadline:
            sys.exit(f"no mail to {rcpt} matching {pattern!r} within {WAIT:.0f} s")
        time.sleep(0.1)


class Browser:
    """One visitor: a keep-alive connection and the recipient cookie."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = None

    def request(self, method, path, form=None):
        headers = {}
        if self.cookie:
            headers["Cookie"] = f"zegel_r={self.cookie}"
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        r = self.conn.getresponse()
        data = r.read().decode("utf-8", "replace")
        for name, value in r.getheaders():
            if name.lower() == "set-cookie" and value.startswith("zegel_r="):
                self.cookie = value.split(";")[0].split("=", 1)[1]
        return r.status, r.getheader("Location", ""), data


def sign_in(port, sink_dir, path, rcpt):
    """Walks link -> code -> verify -> read; returns the cookie."""
    b = Browser(port)
    status, _, body = b.request("GET", path)
    if status != 200 or not b.cookie:
        sys.exit(f"GET {path}: {status}")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', body).group(1)
    status, location, _ = b.request("POST", f"{path}/code", {"csrf": csrf})
    if status != 303 or not location.endswith("/verify"):
        sys.exit(f"POST {path}/code: {status} {location}")
    code = wait_for(sink_dir, rcpt, r"Your code: (\d{6})").group(1)
    status, location, _ = b.request("POST", f"{path}/verify", {"csrf": csrf, "code": code})
    if status != 303 or not location.endswith("/read"):
        sys.exit(f"POST {path}/verify: {status} {location} (is second_factor \"none\"?)")
    status, _, body = b.request("GET", f"{path}/read")
    if status != 200 or "111222333" not in body:
        sys.exit(f"GET {path}/read: {status}")
    return b.cookie, len(body.encode())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--smtp-port", type=int, required=True)
    p.add_argument("--http-port", type=int, required=True)
    p.add_argument("--sink-dir", required=True)
    p.add_argument("--messages", type=int, default=4)
    p.add_argument("--per-message", type=int, default=5)
    p.add_argument("--out", required=True)
    a = p.parse_args()

    # One address per package: the portal allows 10 codes per address and
    # 5 per package per hour.
    packages = []
    for n in range(a.messages):
        rcpts = [f"lezer{n:02d}.{i:02d}@example.com" for i in range(a.per_message)]
        with smtplib.SMTP("127.0.0.1", a.smtp_port, timeout=60) as s:
            s.sendmail("jan@zorg.nl", rcpts, secure_mail(n, rcpts).encode())
        packages += rcpts
    sessions = []
    page_bytes = 0
    for rcpt in packages:
        link = wait_for(a.sink_dir, rcpt, r"https?://\S+?(/m/[A-Za-z0-9_-]+)").group(1)
        cookie, page_bytes = sign_in(a.http_port, a.sink_dir, link, rcpt)
        sessions.append(f"{link}/read {cookie}")
    with open(a.out, "w") as f:
        f.write("\n".join(sessions) + "\n")
    print(
        f"{len(sessions)} sessions over {a.messages} messages; "
        f"message page {page_bytes} bytes"
    )


if __name__ == "__main__":
    main()
