"""CPU seconds of a server's process tree, for the FTP benchmarks (cpu-during.py, ftpload.py --server-pid).

The tree is the root and every live descendant (vsftpd forks a process per session), sampled every 20 ms from
/proc; each process counts with its last seen utime+stime less what it had when sampling began, so short-lived
session processes count too (losing at most the last 20 ms of one that exits between samples).
"""
import os, threading

HZ = os.sysconf("SC_CLK_TCK")


class TreeCpu:
    def __init__(self, root):
        self.root, self.last, self.stop = root, {}, threading.Event()
        self.sample()
        self.start = dict(self.last)
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def tree(self):
        out, todo = [], [self.root]
        while todo:
            pid = todo.pop()
            out.append(pid)
            try:
                for t in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{t}/children") as f:
                        todo.extend(int(c) for c in f.read().split())
            except OSError:
                pass
        return out

    def sample(self):
        for pid in self.tree():
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                self.last[pid] = max(int(fields[11]) + int(fields[12]), self.last.get(pid, 0))  # utime, stime
            except (OSError, IndexError, ValueError):
                pass

    def loop(self):
        while not self.stop.wait(0.02):
            self.sample()

    def seconds(self):
        """CPU seconds the tree used since sampling began (a fresh sample first)."""
        self.sample()
        return sum(t - self.start.get(pid, 0) for pid, t in self.last.items()) / HZ

    def close(self):
        self.stop.set()
        self.thread.join()
