class ConfigError(Exception):
    pass


def read(d):
    return d["port"]


def load(d):
    try:
        read(d)
    except KeyError:
        try:
            int(d.get("fallback", "none"))
        except ValueError as e:
            raise ConfigError("no port in\nthe configuration") from e


load({})
