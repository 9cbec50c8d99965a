def inner():
    raise ExceptionGroup("inner", [KeyError("k"), ValueError("v")])


def outer():
    try:
        inner()
    except ExceptionGroup as e:
        raise ExceptionGroup("outer", [e, OSError("disk")]) from None


try:
    outer()
except ExceptionGroup as g:
    raise RuntimeError("giving up") from g
