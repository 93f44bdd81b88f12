# corpus: err_last
# Starting a process at top level without `if __name__ == "__main__":` makes the child's run of
# the script try to start one too: CPython's bootstrapping-phase RuntimeError, in the child.
import multiprocessing as mp


def work():
    print("work ran")


mp.set_start_method("spawn", force=True)
p = mp.Process(target=work)
p.start()
p.join()
print("parent exitcode", p.exitcode, __name__)
