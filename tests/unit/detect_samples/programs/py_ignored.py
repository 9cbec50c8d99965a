class Holder:
    def __del__(self):
        raise OSError("cannot close")


h = Holder()
del h
print("after")
raise KeyboardInterrupt
