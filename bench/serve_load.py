"""`feedpub serve` under concurrent readers: latency, failures and TCP-retry stalls.

    python bench/serve_load.py [--clients 50] [--requests 20] [--mode mix]

Builds the bundled sample (config.toml and content/, copied to a temporary folder, so
the committed feeds/ stay as they are), starts `feedpub serve --port 0` on it in another
process, and fires `--clients` threads at it at once (they start together, at a
barrier), each making `--requests` GETs of the served files in turn. `--mode`:
`keep-alive` (one http.client connection per client, reused), `new` (a new connection
per request) or `mix` (even clients keep their connection, odd ones open a new one per
request). Each request is timed from before its connect (when it needs one) to the
last byte of the body.

Prints, for all requests and per kind of connection: the count, p50, p99, the slowest
request, the failures (an exception, a status other than 200, or a body other than
the file's bytes) and how many took more than 1 s: a connection that overflowed the
listen queue waits for the client's SYN retry (1 s, then 3 s...), so a request over
1 s on loopback is a TCP-retry stall. It also counts the server's access-log lines
(one per request expected). Exit status 1 when a request failed or stalled.
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-11-01T00:00:00Z"
SERVED = (".rss", ".atom", ".json", ".opml", ".html")
#: A request slower than this waited for a TCP retry (loopback answers in milliseconds).
STALL = 1.0


@dataclass
class Sample:
    kind: str  # "keep-alive" or "new"
    path: str
    seconds: float
    error: str | None


def build_sample(work: Path) -> Path:
    """The bundled sample built in ``work``: the folder of its feeds."""
    shutil.copy(ROOT / "config.toml", work / "config.toml")
    shutil.copytree(ROOT / "content", work / "content")
    subprocess.run(
        [sys.executable, "-m", "feedpub", "build", "-c", str(work / "config.toml"), "--now", NOW],
        check=True,
        capture_output=True,
    )
    return work / "feeds"


class Server:
    """``feedpub serve`` in another process; its stderr (the access log) is drained."""

    def __init__(self, config: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "feedpub", "serve", "-c", str(config), "--port", "0"],
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stderr is not None
        self.banner = self.process.stderr.readline()
        if not self.banner.startswith("Serving "):
            self.process.kill()
            raise SystemExit(f"feedpub serve did not start: {self.banner!r}")
        url = self.banner.split(" at ")[1].split(" ")[0]  # http://127.0.0.1:PORT/
        host, port = url.removeprefix("http://").rstrip("/").rsplit(":", 1)
        self.host, self.port = host, int(port)
        self.lines: list[str] = []
        self._drain = threading.Thread(target=self._read, daemon=True)
        self._drain.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:  # a full pipe would block the server
            self.lines.append(line)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)
        self._drain.join(timeout=20)


def client(
    server: Server,
    kind: str,
    paths: list[str],
    files: dict[str, bytes],
    start: threading.Barrier,
    out: list[Sample],
) -> None:
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    start.wait()
    for path in paths:
        began = time.perf_counter()
        error = None
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                error = f"status {response.status}"
            elif body != files[path]:
                error = "wrong body"
        except (OSError, http.client.HTTPException) as e:
            error = f"{type(e).__name__}: {e}"
            conn.close()
        out.append(Sample(kind, path, time.perf_counter() - began, error))
        if kind == "new":
            conn.close()
    conn.close()


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile ``p`` (0..100) of ``values``."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def report(label: str, samples: list[Sample]) -> str:
    if not samples:
        return f"{label:<11} -"
    times = [s.seconds for s in samples]
    slowest = max(samples, key=lambda s: s.seconds)
    failures = sum(s.error is not None for s in samples)
    stalls = sum(t > STALL for t in times)
    return (
        f"{label:<11} {len(samples):>5} requests  p50 {percentile(times, 50) * 1000:7.1f} ms  "
        f"p99 {percentile(times, 99) * 1000:7.1f} ms  slowest {slowest.seconds * 1000:7.1f} ms "
        f"({slowest.path})  failures {failures}  > {STALL:g} s: {stalls}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20, help="per client")
    parser.add_argument("--mode", choices=["keep-alive", "new", "mix"], default="mix")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="feedpub-serve-load-") as tmp:
        folder = build_sample(Path(tmp))
        files = {
            "/" + f.name: f.read_bytes()
            for f in sorted(folder.iterdir())
            if f.suffix in SERVED and not f.name.startswith(".")
        }
        names = list(files)
        server = Server(Path(tmp) / "config.toml")
        samples: list[Sample] = []
        start = threading.Barrier(args.clients)
        threads = []
        for i in range(args.clients):
            kind = args.mode
            if args.mode == "mix":
                kind = "keep-alive" if i % 2 == 0 else "new"
            paths = [names[(i + j) % len(names)] for j in range(args.requests)]
            threads.append(
                threading.Thread(target=client, args=(server, kind, paths, files, start, samples))
            )
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - began
        time.sleep(0.2)  # the last access-log lines
        server.stop()

    print(
        f"feedpub serve: {args.clients} clients x {args.requests} requests ({args.mode}), "
        f"{len(files)} files, {wall:.2f} s wall, {len(samples) / wall:.0f} requests/s"
    )
    print(report("all", samples))
    for kind in ("keep-alive", "new"):
        if args.mode == "mix":
            print(report(kind, [s for s in samples if s.kind == kind]))
    errors = sorted({s.error for s in samples if s.error})
    for error in errors[:5]:
        print(f"  failure: {error}")
    log_lines = sum(1 for line in server.lines if '"GET ' in line)
    print(f"access-log lines: {log_lines} (of {len(samples)} requests)")
    return 1 if any(s.error or s.seconds > STALL for s in samples) else 0


if __name__ == "__main__":
    raise SystemExit(main())
