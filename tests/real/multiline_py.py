"""Multi-line records the way real Python 3.11 programs write them, for
test_multiline_python.sh (and tests/real/multiline/raw/python_*.txt).

multiline_py.py CASE...          the cases in the order given; "all" is every
                                 case below, in this order
  logging    logging.exception() of a ZeroDivisionError (one write())
  context    an exception raised while handling another ("During handling
             of the above exception, another exception occurred:"), through
             logging (logger.error(..., exc_info=True))
  cause      `raise ... from ...` ("The above exception was the direct cause
             of the following exception:"), printed by traceback.print_exc()
             (the traceback module prints it line by line)
  group      an ExceptionGroup of two sub-exceptions, once through
             logging.exception() and once through sys.excepthook (the
             interpreter's own printer, the one an uncaught exception gets)
  thread     an uncaught exception in a threading.Thread ("Exception in
             thread worker-1:", threading.excepthook)
  warning    warnings.warn(): "FILE:LINE: UserWarning: TEXT" and the source
             line, indented
  uncaught   an uncaught exception in the main thread: the process exits 1
             (always the last case run; "all" ends with it); its "end" line
             comes from an atexit handler, after the traceback
Every case has an ordinary log line before and after it.

multiline_py.py threads N K SIDE  N threads (start together) each log K
             tracebacks with logging.exception(), concurrently. The record of
             thread t, iteration i names "t=<t> i=<i>" in its message, in its
             exception's message, and in a frame's function name
             (fail_t<t>_i<i>). SIDE gets the exact text of every record
             (the formatted record, as the handler wrote it less its final
             "\\n"), one JSON string per line, in no particular order.
             Standard output: "threads=N records=N*K".

Logging goes through logging.basicConfig's StreamHandler (stderr) with the
format "%(asctime)s %(levelname)s %(name)s: %(message)s".
"""
import atexit
import json
import logging
import sys
import threading
import traceback
import warnings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
log = logging.getLogger("shop.orders")


def parse_quantity(text):
    return int(text)


def average(total, count):
    return total / count


def load_order(orders, order_id):
    try:
        return orders[order_id]
    except KeyError:
        raise RuntimeError("order lookup failed: id=%d (orders=%d)" % (order_id, len(orders)))


def connect(host, port):
    raise ConnectionRefusedError(111, "Connection refused (%s:%d)" % (host, port))


def fetch_prices(host):
    try:
        connect(host, 5432)
    except OSError as e:
        raise LookupError("price service unavailable: host=%s" % host) from e


def check_item(n):
    if n % 2:
        raise ValueError("item %d: negative quantity -3" % n)
    raise TypeError("item %d: price is None, not a number" % n)


def validate_cart(items):
    errors = []
    for n in items:
        try:
            check_item(n)
        except (ValueError, TypeError) as e:
            errors.append(e)
    raise ExceptionGroup("cart has %d invalid items" % len(errors), errors)


def deprecated_total(prices):
    warnings.warn("deprecated_total() is deprecated; use total(prices, currency=...)")
    return sum(prices)


def thread_job(order_id):
    raise PermissionError(13, "Permission denied: '/var/spool/shop/%d.lock'" % order_id)


def case_logging():
    try:
        average(17, 0)
    except ZeroDivisionError:
        log.exception("average failed for order=%d (items=0)", 41)


def case_context():
    try:
        load_order({1: "a"}, 2)
    except RuntimeError:
        log.error("could not load order 2", exc_info=True)


def case_cause():
    try:
        fetch_prices("prices.internal")
    except LookupError:
        traceback.print_exc()


def case_group():
    try:
        validate_cart([1, 2])
    except ExceptionGroup:
        log.exception("cart rejected")
        sys.excepthook(*sys.exc_info())


def case_thread():
    t = threading.Thread(target=thread_job, args=(7,), name="worker-1")
    t.start()
    t.join()


def case_warning():
    deprecated_total([1.5, 2.25])


def case_uncaught():
    parse_quantity("three")


CASES = {"logging": case_logging, "context": case_context, "cause": case_cause, "group": case_group,
         "thread": case_thread, "warning": case_warning, "uncaught": case_uncaught}
ORDER = ["logging", "context", "cause", "group", "thread", "warning", "uncaught"]


def run_cases(names):
    if "all" in names:
        names = ORDER
    bad = [n for n in names if n not in CASES]
    if bad:
        sys.exit("unknown case: %s" % ", ".join(bad))
    # uncaught ends the process: it comes last whatever the order given
    names = [n for n in names if n != "uncaught"] + (["uncaught"] if "uncaught" in names else [])
    warnings.simplefilter("default")
    for name in names:
        log.info("case %s: begin", name)
        if name == "uncaught":
            # runs after the interpreter has printed the traceback
            atexit.register(log.info, "case %s: end (atexit)", name)
        CASES[name]()
        log.info("case %s: end", name)


class SideHandler(logging.Handler):
    """Writes the exact text of every record (as the stderr handler formats
    it: same formatter, same record) to the side file as a JSON string."""

    def __init__(self, path, formatter):
        super().__init__()
        self.out = open(path, "w", encoding="utf-8")
        self.setFormatter(formatter)

    def emit(self, record):
        self.out.write(json.dumps(self.format(record)) + "\n")

    def close(self):
        self.out.close()
        super().close()


def make_fail(t, i):
    """A function whose code object is called fail_t<t>_i<i>: the name a
    traceback prints for its frame."""
    def fail(t, i):
        marker = "t=%d i=%d" % (t, i)
        raise KeyError("missing key for " + marker)
    fail.__code__ = fail.__code__.replace(co_name="fail_t%d_i%d" % (t, i))
    return fail


def thread_worker(t, k, barrier, counts):
    wlog = logging.getLogger("shop.worker%d" % t)
    barrier.wait()
    for i in range(k):
        try:
            make_fail(t, i)(t, i)
        except KeyError:
            wlog.exception("record t=%d i=%d failed", t, i)
            counts[t] += 1


def run_threads(n, k, side):
    handler = logging.getLogger().handlers[0]
    logging.getLogger().addHandler(SideHandler(side, handler.formatter))
    barrier = threading.Barrier(n)
    counts = [0] * n
    threads = [threading.Thread(target=thread_worker, args=(t, k, barrier, counts), name="w%d" % t)
               for t in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    logging.shutdown()
    print("threads=%d records=%d" % (n, sum(counts)))


def main():
    logging.basicConfig(level=logging.INFO, format=FORMAT)
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    if args[0] == "threads":
        if len(args) != 4:
            sys.exit("usage: multiline_py.py threads N K SIDE")
        run_threads(int(args[1]), int(args[2]), args[3])
    else:
        run_cases(args)


if __name__ == "__main__":
    main()
