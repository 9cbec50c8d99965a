# Logs a few records of every level through the named format (argv[1]).
import logging, sys, os
fmt = sys.argv[1] if len(sys.argv) > 1 else None
logging.basicConfig(level=logging.DEBUG, format=fmt) if fmt else logging.basicConfig(level=logging.DEBUG)
db = logging.getLogger("app.db")
web = logging.getLogger("app.web")
logging.info("starting %d workers, pid %d", 4, os.getpid())
for i in range(3):
    db.debug("query %d took %.3f s", i, 0.01 * i)
    web.info("GET /items/%d 200 %d bytes", i, 100 + i)
db.warning("slow query took %.1fs", 2.5)
web.error("upstream 127.0.0.1:%d refused the connection", 8080)
logging.getLogger("app").critical("out of disk space on /var/lib/app")
