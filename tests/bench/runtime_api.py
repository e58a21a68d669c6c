"""A loopback AWS Lambda Runtime API, enough to start a function and time it.

One event at a time: `invoke(event)` queues it, the function's GET .../invocation/next receives it, and its
POST .../response (or .../error) completes it. Timestamps are taken with time.perf_counter_ns()."""
import json
import queue
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RuntimeApi:
    def __init__(self, port=0):
        self.events = queue.Queue()
        self.results = {}
        self.first_next_ns = None
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _reply(self, code, body=b"", headers=None):
                self.send_response(code)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path.endswith("/runtime/invocation/next"):
                    if api.first_next_ns is None:
                        api.first_next_ns = time.perf_counter_ns()
                    request_id, payload = api.events.get()
                    deadline = int(time.time() * 1000) + 60_000
                    self._reply(200, payload, {
                        "Lambda-Runtime-Aws-Request-Id": request_id,
                        "Lambda-Runtime-Deadline-Ms": str(deadline),
                        "Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:us-east-1:123456789012:function:bench",
                        "Lambda-Runtime-Trace-Id": "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
                        "Content-Type": "application/json",
                    })
                else:
                    self._reply(404)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                parts = self.path.split("/")
                if "invocation" in parts and parts[-1] in ("response", "error"):
                    request_id = parts[parts.index("invocation") + 1]
                    api.results[request_id].put((parts[-1], time.perf_counter_ns(), body))
                    self._reply(202, b"{}")
                elif self.path.endswith("/init/error"):
                    api.init_error = body
                    self._reply(202, b"{}")
                else:
                    self._reply(404)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a function process killed mid-request resets its connection: expected

        self.server = Server(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.init_error = None

    @property
    def address(self):
        host, port = self.server.server_address
        return f"{host}:{port}"

    def reset(self):
        self.first_next_ns = None
        self.init_error = None

    def invoke(self, event, timeout=60):
        """Queues `event`; returns (kind, completed_at_ns, body)."""
        request_id = str(uuid.uuid4())
        self.results[request_id] = queue.Queue()
        payload = event if isinstance(event, bytes) else json.dumps(event).encode()
        self.events.put((request_id, payload))
        return self.results[request_id].get(timeout=timeout)

    def close(self):
        self.server.shutdown()
