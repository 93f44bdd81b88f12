# subprocess.run from several threads at once: each gets its own child and output.
import subprocess
import threading

results = {}


def worker(i):
    r = subprocess.run(["sh", "-c", "sleep 0.1; echo $0", str(i)], capture_output=True,
                       text=True)
    results[i] = r.stdout.strip()


threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(results.items()))
