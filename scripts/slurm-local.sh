#!/usr/bin/env bash
# A one-node Slurm on this machine, for `edgelab sweep --backend slurm` and its integration test:
# installs Debian's slurm-wlm and munge (when missing), writes a slurm.conf for this host (2 CPUs, memory
# from /proc/meminfo, no cgroups: proctrack/linuxproc, task/none, no accounting), starts munged, slurmctld
# and slurmd (when not running), and waits until the node is idle. Idempotent: re-running it on a machine
# where the node is already up changes nothing. Needs root (apt-get, daemons). Exit 0 = node idle.
#   scripts/slurm-local.sh            start (or check) the node
#   SLURM_LOCAL_WAIT=60 scripts/slurm-local.sh    wait at most 60 s for the node (default 90)
set -euo pipefail

say() { echo "slurm-local: $*" >&2; }
die() { say "FAILED: $*"; exit 1; }

wait_s=${SLURM_LOCAL_WAIT:-90}
conf=/etc/slurm/slurm.conf
host=$(hostname -s)

[ "$(id -u)" = 0 ] || die "needs root (it installs packages and starts daemons)"

# A daemon is running when its pid file names a live process.
running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
stop() { if running "$1"; then kill "$(cat "$1")"; for _ in $(seq 1 50); do running "$1" || break; sleep 0.1; done; fi; }
node_idle() { sinfo -h -N -n "$host" -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; }

if command -v sinfo >/dev/null && [ -f "$conf" ] && running /run/slurmctld.pid && running /run/slurmd.pid \
   && node_idle; then
  say "node $host is up"
  exit 0
fi

# 1. packages
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null \
   || ! command -v sbatch >/dev/null; then
  say "installing slurm-wlm and munge"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends slurm-wlm munge >/dev/null 2>&1 || {
    apt-get update >/dev/null 2>&1 || true
    apt-get install -y --no-install-recommends slurm-wlm munge >/dev/null || die "apt-get install slurm-wlm munge failed"
  }
fi

# 2. munge: a key (the package usually creates one) and the daemon
if [ ! -s /etc/munge/munge.key ]; then
  mungekey --create --force --keyfile=/etc/munge/munge.key >/dev/null || die "cannot create /etc/munge/munge.key"
fi
chown munge:munge /etc/munge /etc/munge/munge.key
chmod 700 /etc/munge
chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/lib/munge /var/log/munge
chown munge:munge /run/munge /var/lib/munge /var/log/munge
chmod 755 /run/munge
if ! running /run/munge/munged.pid; then
  runuser -u munge -- /usr/sbin/munged || die "munged did not start (see /var/log/munge/munged.log)"
fi
for _ in $(seq 1 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
munge -n 2>/dev/null | unmunge >/dev/null 2>&1 || die "munge does not work (see /var/log/munge/munged.log)"

# 3. slurm.conf for this host (memory: 90% of MemTotal, in MB)
mem_mb=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat > "$conf.new" <<EOF
# One-node Slurm for EdgeLab's sweep tests, written by scripts/slurm-local.sh.
ClusterName=edgelab-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
# No cgroups in containers and small VMs: plain process tracking, no task binding, no accounting.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerParameters=kill_invalid_depend
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=600
KillWait=5
InactiveLimit=0
Waittime=0
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
if ! cmp -s "$conf.new" "$conf"; then
  mv "$conf.new" "$conf"
  changed=1
else
  rm -f "$conf.new"
  changed=0
fi

# 4. daemons (restarted when the configuration changed)
if [ "$changed" = 1 ]; then
  stop /run/slurmd.pid
  stop /run/slurmctld.pid
fi
if ! running /run/slurmctld.pid; then
  /usr/sbin/slurmctld -i || die "slurmctld did not start (see /var/log/slurm/slurmctld.log)"
fi
if ! running /run/slurmd.pid; then
  /usr/sbin/slurmd || die "slurmd did not start (see /var/log/slurm/slurmd.log)"
fi

# 5. wait for the node
for _ in $(seq 1 "$wait_s"); do
  if node_idle; then say "node $host is up ($(sinfo -h -N -n "$host" -o '%T %c CPUs %m MB'))"; exit 0; fi
  state=$(sinfo -h -N -n "$host" -o '%T' 2>/dev/null || true)
  case "$state" in
    down*|drain*) scontrol update NodeName="$host" State=RESUME >/dev/null 2>&1 || true ;;
  esac
  sleep 1
done
say "last slurmctld log lines:"; tail -n 15 /var/log/slurm/slurmctld.log >&2 || true
say "last slurmd log lines:"; tail -n 15 /var/log/slurm/slurmd.log >&2 || true
die "node $host not idle after ${wait_s} s (state: $(sinfo -h -N -n "$host" -o '%T' 2>/dev/null || echo unknown))"
