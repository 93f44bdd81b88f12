# An uncaught CalledProcessError: the last line of the traceback names the class and command.
# corpus: err_last
import subprocess

print("running", flush=True)
subprocess.run(["sh", "-c", "exit 3"], check=True)
print("not reached")
