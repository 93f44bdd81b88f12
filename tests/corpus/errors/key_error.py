# Uncaught KeyError: the message is the repr of the missing key.
config = {"host": "localhost", "port": 8080}
print(config["host"])
print(config["x"])
