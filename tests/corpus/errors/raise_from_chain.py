# Uncaught chained exception via `raise ... from ...`: both tracebacks joined by the "direct cause" line.
class ConfigError(Exception):
    pass

def read_port(settings):
    try:
        return int(settings["port"])
    except KeyError as exc:
        raise ConfigError("port is not configured") from exc

print("reading")
read_port({"host": "x"})
