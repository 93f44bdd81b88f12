# current_thread/main_thread in main and workers, active_count and enumerate while running and after joins.
import threading

main = threading.main_thread()
print(main.name, main is threading.current_thread(), main.is_alive(), main.daemon)
print(threading.current_thread().name, threading.active_count())
print([t.name for t in threading.enumerate()])

seen = {}
gate = threading.Event()
ready = []
ready_lock = threading.Lock()


def worker(key):
    me = threading.current_thread()
    seen[key] = (me.name, me is threading.main_thread(), me.is_alive(), me.ident == threading.get_ident())
    with ready_lock:
        ready.append(key)
    gate.wait(5)


workers = [threading.Thread(target=worker, args=(i,), name=f"w{i}") for i in range(3)]
for w in workers:
    w.start()
while True:
    with ready_lock:
        if len(ready) == 3:
            break
    threading.Event().wait(0.001)

print("running:", threading.active_count())
print(sorted([t.name for t in threading.enumerate()]))
print(all([w in threading.enumerate() for w in workers]))
gate.set()
for w in workers:
    w.join()

print([seen[k] for k in sorted(seen)])
print("after joins:", threading.active_count(), [t.name for t in threading.enumerate()])
print([w.is_alive() for w in workers])
print(threading.current_thread() is main, threading.main_thread() is main)
