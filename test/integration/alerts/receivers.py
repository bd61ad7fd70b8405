# Loopback receivers for the alerts tests: each request (HTTP) or message (SMTP, through Debian's
# python3-aiosmtpd) is appended to LOG as one JSON line; the bound port is written to PORT_FILE
# once listening. Usage: receivers.py http|smtp PORT_FILE LOG
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

mode, port_file, log_file = sys.argv[1], sys.argv[2], sys.argv[3]
lock = threading.Lock()


def record(entry):
    with lock, open(log_file, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")


def announce(port):
    with open(port_file + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(port_file + ".tmp", port_file)


if mode == "http":

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n).decode("utf-8", "replace")
            record({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    announce(server.server_address[1])
    server.serve_forever()
else:
    import socket
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            msg = message_from_bytes(envelope.content, policy=policy.default)
            record(
                {
                    "from": envelope.mail_from,
                    "to": envelope.rcpt_tos,
                    "subject": str(msg["subject"]),
                    "body": msg.get_body(("plain",)).get_content(),
                }
            )
            return "250 OK"

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    announce(port)
    while True:
        time.sleep(3600)
