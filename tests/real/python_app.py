"""A small program that logs the way Python programs do, for test_python.sh.

Four worker threads log at the same time through the standard `logging`
module: the "app" loggers with the cookbook format
`%(asctime)s - %(name)s - %(levelname)s - %(message)s`, every other logger
through the root handler of `logging.basicConfig()` (its default format,
`ERROR:root:...`), the "audit" logger as JSON lines and the "metrics" logger
as logfmt. Messages are free text full of `=`, `(`, `:` and quotes.
Besides: an exception logged with its traceback (with a chained cause and
Python 3.11's `~~^~~` markers), an uncaught exception in a thread
(threading.excepthook), a DeprecationWarning, plain `print(..., file=sys.stderr)`
lines, and at the end an uncaught exception in the main thread: exit status 1.
Standard output gets one summary line.

python_app.py [ROUNDS]   each worker's number of rounds (default 5)
"""
import json
import logging
import sys
import threading
import warnings

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5


class JsonFormatter(logging.Formatter):
    """One JSON object per record, as python-json-logger and friends write."""

    def format(self, record):
        doc = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%SZ"), "level": record.levelname.lower(),
               "logger": record.name, "message": record.getMessage()}
        doc.update(getattr(record, "fields", {}))
        return json.dumps(doc)


class LogfmtFormatter(logging.Formatter):
    """key=value pairs, values with spaces or quotes quoted, as logfmt wants."""

    def format(self, record):
        pairs = [("level", record.levelname.lower()), ("logger", record.name), ("msg", record.getMessage())]
        pairs += list(getattr(record, "fields", {}).items())
        out = []
        for k, v in pairs:
            v = str(v).lower() if isinstance(v, bool) else str(v)
            if v == "" or any(c in v for c in ' "=\\'):
                v = '"' + v.replace('\\', '\\\\').replace('"', '\\"') + '"'
            out.append("%s=%s" % (k, v))
        return " ".join(out)


def ratio(done, total):
    return done / total


def load_setting(settings, key):
    try:
        return settings[key]
    except KeyError as e:
        raise ValueError("bad config: key=%s (section [main])" % key) from e


def old_api(x):
    warnings.warn("old_api(x=%d) is deprecated; use new_api(x)" % x, DeprecationWarning)
    return x


def worker(n, barrier, done, app, counts):
    log = logging.getLogger("app.worker%d" % n)
    audit = logging.getLogger("audit")
    metrics = logging.getLogger("metrics")
    db = logging.getLogger("app.db")
    pool = logging.getLogger("urllib3.connectionpool")
    barrier.wait()
    for r in range(ROUNDS):
        job = n * 100 + r
        log.info("job %d done in 0.%02ds (user=alice, ok=True, tags=[a, b])", job, r * 7)
        log.debug("heartbeat ok seq=%d", job)
        db.warning("slow query took %d.5s", r + 1)
        logging.info("worker %d: queue depth=%d (max=10) -- fine", n, r)
        pool.warning("Retrying (Retry(total=%d, connect=None)) after connection broken by "
                     "'NewConnectionError(\"Failed to establish a new connection: [Errno 111]\")': /v1/items?id=%d",
                     2 - r % 3, job)
        if r == 2:
            logging.error("disk usage at 91%% on /var (threshold=90%%) worker=%d", n)
            app.critical("worker %d: lost 1 of 3 replicas: status=degraded; retry in 5s", n)
        counts[n] += 1
    audit.log(logging.INFO if n % 2 == 0 else logging.ERROR, "payment %s" % ("ok" if n % 2 == 0 else "failed"),
               extra={"fields": {"order_id": 1000 + n, "amount": 19.99, "retry": n % 2 == 1,
                                 "tags": ["billing", "w%d" % n], "ctx": {"user": "u%d" % n, "attempt": n + 1}}})
    metrics.log(logging.INFO if n != 2 else logging.WARNING, "jobs processed",
                extra={"fields": {"worker": n, "count": ROUNDS, "duration": 0.25 * (n + 1), "ok": n != 2,
                                  "note": 'said "hi" (x=1)'}})
    if n == 1:
        try:
            ratio(7, 0)
        except ZeroDivisionError:
            log.exception("ratio failed for job=%d (total=0)", n * 100)
    if n == 2:
        try:
            load_setting({"retries": 3}, "timeout")
        except ValueError:
            log.error("config reload failed", exc_info=True)
    # Everyone has logged before worker 3 dies: threading.excepthook prints
    # its traceback piece by piece (with -u, write by write), which another
    # thread's logging would otherwise cut into, differently in every run.
    done.wait()
    if n == 3:
        raise RuntimeError("worker 3 lost its lease (lease_id=42, holder=\"db-1\")")


def main():
    logging.basicConfig(level=logging.DEBUG)
    app = logging.getLogger("app")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s - %(name)s - %(levelname)s - %(message)s"))
    app.addHandler(handler)
    app.propagate = False
    app.setLevel(logging.DEBUG)
    for name, formatter in (("audit", JsonFormatter()), ("metrics", LogfmtFormatter())):
        h = logging.StreamHandler(sys.stderr)
        h.setFormatter(formatter)
        logger = logging.getLogger(name)
        logger.addHandler(h)
        logger.propagate = False
    warnings.simplefilter("default")

    app.info("starting 4 workers: pid-file=/run/app.pid (mode=0644)")
    print("note: cache dir is /var/cache/app (size=3 MiB, 'shared')", file=sys.stderr)
    old_api(7)
    barrier = threading.Barrier(4)
    done = threading.Barrier(4)
    counts = [0] * 4
    threads = [threading.Thread(target=worker, name="worker-%d" % n,
                                args=(n, barrier, done, app, counts))
               for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("Error: 1 worker failed; see above", file=sys.stderr)
    print("rounds=%s" % ",".join(str(c) for c in counts))
    sys.stdout.flush()
    raise SystemError("shutdown incomplete: %d jobs pending" % 2)


if __name__ == "__main__":
    main()
