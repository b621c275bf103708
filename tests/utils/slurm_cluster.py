"""A real single-node Slurm for the tests: the one SLURM_CONF points at, or one started here.

Starting one needs root and Debian's `slurm-wlm` and `munge` packages (`apt-get install slurm-wlm
munge`): munged (if not running), then slurmctld and slurmd with a minimal slurm.conf in a temporary
folder. Anything missing is returned as the reason to skip, word for word.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

CONF = """ClusterName=currachtest
SlurmctldHost={host}
AuthType=auth/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/slurmctld.pid
SlurmdPidFile={root}/slurmd.pid
SlurmctldLogFile={root}/slurmctld.log
SlurmdLogFile={root}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName={host} CPUs={cpus} RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes={host} Default=YES MaxTime=INFINITE State=UP
"""


def responds(env: dict[str, str]) -> bool:
    """True if a Slurm controller answers and has a node that can run jobs."""
    try:
        states = subprocess.run(["sinfo", "-h", "-o", "%T"], env=env, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return states.returncode == 0 and any(s.strip("*") in ("idle", "mixed", "allocated") for s in states.stdout.split())


def start(root: Path) -> tuple[dict[str, str], list[int], str | None]:
    """(env for the Slurm clients, pids started here, None) or (_, _, why Slurm cannot run here)."""
    env = dict(os.environ)
    if shutil.which("sbatch") is None:
        return env, [], "sbatch not found (apt-get install slurm-wlm munge)"
    if responds(env):
        return env, [], None
    missing = [name for name in ("munged", "slurmctld", "slurmd") if not shutil.which(name, path="/usr/sbin:/usr/bin")]
    if missing or os.geteuid() != 0:
        return env, [], f"no Slurm answers, and cannot start one: missing {missing}, uid {os.geteuid()}"
    for folder in ("state", "spool"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    conf = root / "slurm.conf"
    conf.write_text(CONF.format(host=socket.gethostname(), root=root, cpus=len(os.sched_getaffinity(0))))
    env["SLURM_CONF"] = str(conf)
    pids = []
    if subprocess.run(["munge", "-n"], capture_output=True).returncode != 0:
        subprocess.run(["runuser", "-u", "munge", "--", "/usr/sbin/munged"], check=False)
        munged_pid = Path("/run/munge/munged.pid")
        if munged_pid.is_file():
            pids.append(int(munged_pid.read_text()))
    for daemon in (["/usr/sbin/slurmctld", "-i"], ["/usr/sbin/slurmd"]):
        result = subprocess.run(daemon, env=env, capture_output=True, text=True)
        if result.returncode:
            return env, pids, f"{daemon[0]} failed: {result.stderr.strip()}"
        time.sleep(1)
    for name in ("slurmctld", "slurmd"):
        pid_file = root / f"{name}.pid"
        if pid_file.is_file():
            pids.append(int(pid_file.read_text()))
    for _ in range(30):
        if responds(env):
            return env, pids, None
        time.sleep(1)
    log = (root / "slurmctld.log").read_text(errors="replace")[-2000:] if (root / "slurmctld.log").exists() else ""
    return env, pids, f"Slurm started but no node became idle in 30 s; slurmctld.log ends:\n{log}"
