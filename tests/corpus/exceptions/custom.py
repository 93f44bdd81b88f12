# Custom exception classes: hierarchies, extra attributes, args, str/repr, catching by base class.
class AppError(Exception):
    pass
class ConfigError(AppError):
    def __init__(self, key, reason):
        super().__init__("bad config key " + repr(key) + ": " + reason)
        self.key = key
        self.reason = reason
class NetworkError(AppError):
    def __init__(self, code):
        self.code = code
    def __str__(self):
        return "network failed with code " + str(self.code)
class Plain(Exception):
    pass
for exc in [AppError("generic"), ConfigError("port", "not a number"), NetworkError(503), Plain(), Plain(1, 2)]:
    try:
        raise exc
    except AppError as e:
        print("AppError family:", type(e), str(e), e.args)
    except Exception as e:
        print("other:", type(e), repr(e), str(e), e.args)
try:
    raise ConfigError("timeout", "negative")
except ConfigError as e:
    print(e.key, e.reason, repr(e))
e = NetworkError(404)
print(str(e), e.code, e.args, isinstance(e, AppError), isinstance(e, Exception))
class ValidationError(ValueError):
    def __init__(self, field, *errors):
        super().__init__(field, *errors)
        self.field = field
        self.errors = list(errors)
try:
    raise ValidationError("email", "missing @", "too short")
except ValueError as e:
    print(type(e), e.field, e.errors)
    print(str(e))
    print(repr(e))
class WithDefault(Exception):
    def __init__(self, msg="default message"):
        super().__init__(msg)
try:
    raise WithDefault
except WithDefault as e:
    print("raised class:", e)
try:
    raise WithDefault("custom")
except Exception as e:
    print("raised instance:", e)
def risky(n):
    if n == 0:
        raise AppError("zero")
    if n < 0:
        raise ConfigError("n", "negative")
    return n
for n in [1, 0, -1]:
    try:
        print("risky ok", risky(n))
    except ConfigError as e:
        print("config:", e)
    except AppError as e:
        print("app:", e)
print(issubclass(ConfigError, AppError), issubclass(ValidationError, Exception), issubclass(AppError, ValueError))
errs = [ValueError("a"), TypeError("b"), AppError("c")]
print([str(x) for x in errs], [type(x) is AppError for x in errs])
