#!/usr/bin/env python3
"""Runs a command and reports the CPU seconds a server process tree spent meanwhile.

  cpu-during.py SERVER_PID -- COMMAND [ARGS...]

Prints the command's stdout unchanged, then one last line "cpu_s=<seconds>" on stderr. The tree (the server
and every live descendant, e.g. vsftpd's per-session processes) is sampled as treecpu.py says.
"""
import subprocess, sys

from treecpu import TreeCpu

cpu = TreeCpu(int(sys.argv[1]))
rc = subprocess.call(sys.argv[sys.argv.index("--") + 1:])
used = cpu.seconds()
cpu.close()
print(f"cpu_s={used:.2f}", file=sys.stderr)
sys.exit(rc)
