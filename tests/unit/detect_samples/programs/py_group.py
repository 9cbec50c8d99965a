def f():
    raise ValueError("bad value")


def g():
    raise TypeError("bad type")


def main():
    errors = []
    for fn in (f, g):
        try:
            fn()
        except Exception as e:
            errors.append(e)
    raise ExceptionGroup("two failures", errors)


main()
