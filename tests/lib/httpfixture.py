#!/usr/bin/env python3
"""httpfixture.py - replay scripted HTTP responses on loopback, log every request.

Tests of propwatch's measurement-network clients (Globalping, RIPE Atlas) must
never reach the real services, so they point the client at this server, which
answers from a SCRIPT.json and records what the client sent.

    python3 tests/lib/httpfixture.py --script SCRIPT.json --port 0 \
        --ready-file F --log LOG.ndjson [--var NAME=VALUE]... [--max-seconds S]
    python3 tests/lib/httpfixture.py --check SCRIPT.json...   # validate, exit

SCRIPT.json:
    {
      "vars":   {"id": "2gpFin1shedFixture0001"},     # template variables
      "routes": [
        {"method": "POST", "path": "/v1/measurements",  # exact path, or
         "responses": [ RESPONSE, ... ]},              # "path_regex": "^...$"
        {"method": "GET", "path_regex": "^/api/v2/probes/(?P<prb>[0-9]+)/$",
         "by_state": {"start": [RESPONSE], "stopped": [RESPONSE]}}
      ]
    }
    RESPONSE = {"status": 200, "headers": {...}, "delay_ms": 0,
                "body": <inline JSON> | "body_file": "x.json" | "body_text": "..",
                "set_state": "stopped"}

Each request to a route takes the next RESPONSE of its sequence; the last one
repeats.  Routes are tried in order, first match wins; the query string is not
part of the match.  "by_state" picks the sequence by a script-wide state
(initially "start") that any response can change with "set_state": this lets a
results route depend on whether the status route has said "finished" yet, in
whatever order the client asks.  Unknown routes answer 404 with a JSON error.

Templates: "{{name}}" in paths, header values and bodies is replaced by a
variable: port, base (http://127.0.0.1:PORT), now (Unix time at start), now_iso
(the same as 2026-12-01T12:00:00.000Z), the script's "vars", --var overrides,
then the named groups of the path regex.  A JSON string that is
exactly "{{name}}" takes the variable's JSON value, so a numeric Atlas id stays
a number.  body_file is relative to the script; *.json files are templated as
JSON, others as text.

The log gets one JSON object per line per request: seq, time_wall, time_mono,
method, path, query (raw), query_args, headers ([name, value] pairs verbatim,
in order), header (lower-case name -> value), body (parsed JSON, else text),
body_is_json, route (index or null), response (index in its sequence), status.
It is written before any delay, so a client that gives up is still logged.

Only 127.0.0.1 is ever bound.  SIGTERM/SIGINT end it with exit status 0;
--max-seconds (default 600) ends it anyway so a forgotten server cannot hang a
test run.  Standard library only.
"""

import argparse
import json
import os
import re
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOOPBACK = "127.0.0.1"
MAX_DELAY_MS = 30000  # a typo in a script must not stall a test for hours
TEMPLATE = re.compile(r"\{\{([A-Za-z0-9_]+)\}\}")


class ScriptError(Exception):
    pass


def fill_text(text, env):
    """Replace {{name}} in a string; unknown names are left as they are."""
    def one(m):
        v = env.get(m.group(1))
        if v is None:
            return m.group(0)
        return v if isinstance(v, str) else json.dumps(v)
    return TEMPLATE.sub(one, text)


def fill_json(value, env):
    """Template a parsed JSON value; "{{x}}" alone keeps x's JSON type."""
    if isinstance(value, str):
        m = TEMPLATE.fullmatch(value)
        if m and m.group(1) in env:
            return env[m.group(1)]
        return fill_text(value, env)
    if isinstance(value, list):
        return [fill_json(v, env) for v in value]
    if isinstance(value, dict):
        return {fill_text(k, env): fill_json(v, env) for k, v in value.items()}
    return value


class Script:
    """A loaded SCRIPT.json: routes, their counters and the shared state."""

    def __init__(self, path):
        self.dir = os.path.dirname(os.path.abspath(path))
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            raise ScriptError(f"{path}: {e}")
        if not isinstance(doc, dict) or not isinstance(doc.get("routes"), list):
            raise ScriptError(f"{path}: needs an object with a \"routes\" list")
        self.vars = doc.get("vars", {})
        self.routes = []
        for i, r in enumerate(doc["routes"]):
            where = f"{path}: route {i}"
            if "method" not in r or ("path" in r) == ("path_regex" in r):
                raise ScriptError(f"{where}: needs method and one of path, path_regex")
            if ("responses" in r) == ("by_state" in r):
                raise ScriptError(f"{where}: needs one of responses, by_state")
            seqs = r["by_state"] if "by_state" in r else {"start": r["responses"]}
            if "start" not in seqs:
                raise ScriptError(f"{where}: by_state needs a \"start\" sequence")
            for name, seq in seqs.items():
                if not isinstance(seq, list) or not seq:
                    raise ScriptError(f"{where}: sequence {name!r} is empty")
                for j, resp in enumerate(seq):
                    self._check_response(resp, f"{where} {name}[{j}]")
            self.routes.append({"method": r["method"].upper(), "path": r.get("path"),
                                "regex": r.get("path_regex"), "seqs": seqs,
                                "count": {name: 0 for name in seqs}})
        self.state = "start"
        self.lock = threading.Lock()

    def _check_response(self, resp, where):
        if not isinstance(resp.get("status"), int):
            raise ScriptError(f"{where}: needs an integer status")
        if sum(k in resp for k in ("body", "body_file", "body_text")) > 1:
            raise ScriptError(f"{where}: body, body_file and body_text exclude each other")
        if "body_file" in resp:
            p = os.path.join(self.dir, resp["body_file"])
            try:
                with open(p, encoding="utf-8") as f:
                    text = f.read()
                if p.endswith(".json"):
                    json.loads(text)
            except (OSError, ValueError) as e:
                raise ScriptError(f"{where}: body_file {resp['body_file']}: {e}")
        if not 0 <= resp.get("delay_ms", 0) <= MAX_DELAY_MS:
            raise ScriptError(f"{where}: delay_ms must be 0..{MAX_DELAY_MS}")

    def pick(self, method, path, env):
        """Return (route index, response index, response, env) or None; advances."""
        with self.lock:
            for i, r in enumerate(self.routes):
                if r["method"] != method:
                    continue
                if r["path"] is not None:
                    if fill_text(r["path"], env) != path:
                        continue
                    groups = {}
                else:
                    m = re.search(fill_text(r["regex"], env), path)
                    if not m:
                        continue
                    groups = {k: v for k, v in m.groupdict().items() if v is not None}
                name = self.state if self.state in r["seqs"] else "start"
                seq = r["seqs"][name]
                n = r["count"][name]
                r["count"][name] = n + 1
                k = min(n, len(seq) - 1)
                resp = seq[k]
                if "set_state" in resp:
                    self.state = resp["set_state"]
                return i, k, resp, dict(env, **groups)
        return None

    def body_bytes(self, resp, env):
        """Render a response body; returns (bytes, default content type)."""
        if "body" in resp:
            return json.dumps(fill_json(resp["body"], env), indent=2).encode(), "application/json"
        if "body_text" in resp:
            return fill_text(resp["body_text"], env).encode(), "text/plain; charset=utf-8"
        if "body_file" in resp:
            p = os.path.join(self.dir, resp["body_file"])
            with open(p, encoding="utf-8") as f:
                text = f.read()
            if p.endswith(".json"):
                return (json.dumps(fill_json(json.loads(text), env), indent=2).encode(),
                        "application/json")
            return fill_text(text, env).encode(), "text/plain; charset=utf-8"
        return b"", None


def join_headers(pairs):
    """Lower-case name -> value; a repeated header's values are joined by ", "."""
    out = {}
    for name, value in pairs:
        key = name.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


class Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 so libcurl can keep the connection; every reply has a length.
    protocol_version = "HTTP/1.1"
    # A client that connects and sends nothing must not hold a thread forever.
    timeout = 15

    def log_message(self, fmt, *args):  # the NDJSON log replaces stderr noise
        pass

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def handle_any(self):
        srv = self.server
        raw = self.read_body()
        url = urlsplit(self.path)
        env = dict(srv.env)
        picked = srv.script.pick(self.command, url.path, env)
        if picked is None:
            route = k = None
            resp = {"status": 404}
            body = json.dumps({"error": {"type": "fixture_no_route",
                                         "message": f"no route for {self.command} {url.path}"}},
                              indent=2).encode()
            ctype = "application/json"
        else:
            route, k, resp, env = picked
            body, ctype = srv.script.body_bytes(resp, env)
        try:
            parsed, is_json = json.loads(raw.decode("utf-8")), True
        except (UnicodeDecodeError, ValueError):
            parsed, is_json = raw.decode("utf-8", "replace"), False
        headers = [[name, value] for name, value in self.headers.items()]
        srv.write_log({
            "time_wall": time.time(), "time_mono": time.monotonic(),
            "method": self.command, "path": url.path, "query": url.query,
            "query_args": parse_qs(url.query, keep_blank_values=True),
            "headers": headers,
            "header": join_headers(headers),
            "body": parsed if raw else None, "body_is_json": is_json and bool(raw),
            "route": route, "response": k, "status": resp["status"],
        })
        if resp.get("delay_ms"):
            time.sleep(resp["delay_ms"] / 1000.0)
        self.send_response(resp["status"])
        names = {h.lower() for h in resp.get("headers", {})}
        if ctype and "content-type" not in names:
            self.send_header("Content-Type", ctype)
        for name, value in resp.get("headers", {}).items():
            self.send_header(name, fill_text(str(value), env))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True  # handler threads never keep the process alive
    allow_reuse_address = True

    def __init__(self, port, script, env, log_path):
        super().__init__((LOOPBACK, port), Handler)
        self.script = script
        # now/now_iso: the start time, so fixture timestamps (and the TTL
        # ages derived from them) are fresh however old the fixture file is.
        start = time.time()
        self.env = dict(port=self.server_address[1],
                        base=f"http://{LOOPBACK}:{self.server_address[1]}",
                        now=int(start),
                        now_iso=time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(start))
                        + f".{int(start * 1000) % 1000:03d}Z")
        self.env.update(env)
        self.log_lock = threading.Lock()
        self.seq = 0
        self.log = open(log_path, "a", encoding="utf-8") if log_path else None

    def write_log(self, entry):
        with self.log_lock:
            self.seq += 1
            if self.log:
                self.log.write(json.dumps(dict(seq=self.seq, **entry)) + "\n")
                self.log.flush()


def parse_var(text):
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"--var wants NAME=VALUE, got {text!r}")
    try:
        return name, json.loads(value)  # 123 stays a number, "x" a string
    except ValueError:
        return name, value


def write_ready(path, port):
    # Write then rename, so a test polling for the file never reads it half-written.
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description="Replay scripted HTTP responses on 127.0.0.1.")
    ap.add_argument("--script")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--host", default=LOOPBACK, help="must be 127.0.0.1")
    ap.add_argument("--ready-file")
    ap.add_argument("--log")
    ap.add_argument("--var", type=parse_var, action="append", default=[])
    ap.add_argument("--max-seconds", type=float, default=600)
    ap.add_argument("--check", nargs="+", metavar="SCRIPT", help="validate scripts and exit")
    a = ap.parse_args()

    if a.check:
        bad = 0
        for path in a.check:
            try:
                Script(path)
            except ScriptError as e:
                print(f"httpfixture: {e}", file=sys.stderr)
                bad += 1
        return 1 if bad else 0
    if a.host != LOOPBACK:
        print(f"httpfixture: refusing to bind {a.host}: loopback {LOOPBACK} only", file=sys.stderr)
        return 2
    if not a.script:
        ap.error("--script is required")
    try:
        script = Script(a.script)
    except ScriptError as e:
        print(f"httpfixture: {e}", file=sys.stderr)
        return 2
    env = dict(script.vars, **dict(a.var))
    try:
        srv = Server(a.port, script, env, a.log)
    except OSError as e:
        print(f"httpfixture: cannot bind {LOOPBACK}:{a.port}: {e}", file=sys.stderr)
        return 2

    # serve_forever runs in a thread; the main thread only waits for a signal
    # or the deadline, then shuts the loop down (shutdown() from inside the
    # loop's own thread would deadlock).
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    loop = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    loop.start()
    port = srv.server_address[1]
    if a.ready_file:
        write_ready(a.ready_file, port)
    print(f"ready {port}", flush=True)
    timed_out = not stop.wait(a.max_seconds)
    srv.shutdown()
    srv.server_close()
    if srv.log:
        srv.log.close()
    if timed_out:
        print(f"httpfixture: --max-seconds {a.max_seconds:g} reached, exiting", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
