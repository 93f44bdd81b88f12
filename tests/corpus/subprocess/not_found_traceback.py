# An uncaught FileNotFoundError from a missing program.
# corpus: err_last
import subprocess

subprocess.run(["no-such-program-for-gilsim", "arg"])
