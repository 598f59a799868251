#!/usr/bin/env python3
"""A fake WhatsApp Cloud API (Graph) server for the two-instance test.

Garasi is started with GARASI_WA_GRAPH_BASE_URL=http://127.0.0.1:<port>/v23.0, so every
send of every showroom lands here instead of graph.facebook.com. It answers like Graph
does (the same bodies as the wiremock set-up in crates/app/tests/it/whatsapp.rs) and
records each request, so the test can compare what Garasi's outbox says it delivered with
what actually arrived, message by message.

    fake_graph.py PORT RECORD.jsonl

- POST /v23.0/{phone_number_id}/messages  -> 200 {"messages":[{"id":"wamid.…"}]}, recorded
- POST /v23.0/{phone_number_id}/media     -> 200 {"id":"media.…"} (photo uploads), recorded
- GET  /v23.0/{media_id}                  -> 200 {"url": …} (inbound media look-ups)
- GET  /_sent                             -> every recorded request as a JSON array
Anything else gets Graph's 404 error body and is recorded as "unknown", so an endpoint
the channel starts calling shows up in the test's figures instead of passing silently.
"""

import json
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
RECORDS = []
OUT = None


def record(entry):
    # One JSON line per request, flushed at once: the file is the evidence the test reads
    # even if this server is killed with the rest of the run.
    with LOCK:
        RECORDS.append(entry)
        OUT.write(json.dumps(entry) + "\n")
        OUT.flush()


class Graph(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_):
        pass  # one line per send would drown the test's output

    def reply(self, status, body):
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def body(self):
        n = int(self.headers.get("content-length") or 0)
        return self.rfile.read(n) if n else b""

    def do_POST(self):
        raw = self.body()
        parts = self.path.split("?")[0].strip("/").split("/")
        now = time.time()
        if len(parts) == 3 and parts[0] == "v23.0" and parts[2] == "messages":
            try:
                msg = json.loads(raw)
            except ValueError:
                record({"t": now, "kind": "bad_json", "path": self.path})
                return self.reply(400, {"error": {"message": "bad json", "code": 100}})
            wamid = "wamid." + uuid.uuid4().hex
            record({"t": now, "kind": "message", "pnid": parts[1], "wamid": wamid,
                    "auth": self.headers.get("authorization", ""), "body": msg})
            to = msg.get("to", "")
            return self.reply(200, {"messaging_product": "whatsapp",
                                    "contacts": [{"input": to, "wa_id": to}],
                                    "messages": [{"id": wamid}]})
        if len(parts) == 3 and parts[0] == "v23.0" and parts[2] == "media":
            media = "media." + uuid.uuid4().hex
            record({"t": now, "kind": "media", "pnid": parts[1], "id": media, "bytes": len(raw)})
            return self.reply(200, {"id": media})
        record({"t": now, "kind": "unknown", "method": "POST", "path": self.path})
        self.reply(404, {"error": {"message": "Unknown path", "type": "OAuthException", "code": 803}})

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/_sent":
            with LOCK:
                return self.reply(200, list(RECORDS))
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "v23.0" and parts[1].startswith("media"):
            return self.reply(200, {"url": f"http://{self.headers.get('host')}/_media/{parts[1]}",
                                    "mime_type": "image/jpeg", "id": parts[1]})
        record({"t": time.time(), "kind": "unknown", "method": "GET", "path": self.path})
        self.reply(404, {"error": {"message": "Unknown path", "type": "OAuthException", "code": 803}})


def main():
    global OUT
    port, path = int(sys.argv[1]), sys.argv[2]
    OUT = open(path, "a", encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", port), Graph)
    server.daemon_threads = True
    print(f"fake Graph on 127.0.0.1:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
