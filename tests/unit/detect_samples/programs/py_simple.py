def parse(text):
    return int(text) + 1


def load(items):
    return [parse(x) for x in items]


def main():
    values = {"a": ["1", "2", "x"]}
    load(values["a"])


main()
