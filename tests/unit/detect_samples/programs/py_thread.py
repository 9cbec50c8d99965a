import threading


def worker():
    raise RuntimeError("worker failed")


t = threading.Thread(target=worker)
t.start()
t.join()
print("main done")
