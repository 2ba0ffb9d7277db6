#!/usr/bin/env bash
# Start or stop a real one-node Slurm cluster on this machine (as root), for
# the test that runs a sweep as a job array. Needs Debian's slurm-wlm and munge.
#
#   scripts/slurm/local-cluster.sh start STATE_DIR   # prints nothing; sinfo works after
#   scripts/slurm/local-cluster.sh stop STATE_DIR    # stops the daemons it started
set -euo pipefail
action=${1:?start or stop}
state=${2:?a folder for the cluster state}
mkdir -p "$state"
state=$(cd "$state" && pwd)

stop() {
  for name in slurmd slurmctld munged; do
    if [ -f "$state/$name.pid" ]; then
      kill "$(cat "$state/$name.pid")" 2>/dev/null || true
      rm -f "$state/$name.pid"
    fi
  done
}

start() {
  command -v slurmctld >/dev/null || { echo "slurm-wlm is not installed" >&2; exit 3; }
  command -v munged >/dev/null || { echo "munge is not installed" >&2; exit 3; }
  host=$(hostname)
  cpus=$(nproc)
  memory=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)

  # Munge: a key owned by munge, its folders, the daemon.
  mkdir -p /etc/munge /var/lib/munge /run/munge /var/log/munge
  if [ ! -s /etc/munge/munge.key ]; then
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown -R munge:munge /etc/munge /var/lib/munge /run/munge /var/log/munge
  chmod 0400 /etc/munge/munge.key
  if ! pgrep -x munged >/dev/null; then
    runuser -u munge -- munged --force 2>/dev/null || munged --force
    pgrep -x munged > "$state/munged.pid"
  fi

  mkdir -p /etc/slurm "$state/ctld" "$state/d"
  cat > /etc/slurm/slurm.conf <<CONF
ClusterName=caasim-local
SlurmctldHost=$host
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/d
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  slurmctld
  slurmd
  for _ in $(seq 1 60); do
    if sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
      return 0
    fi
    sleep 0.5
  done
  echo "the Slurm node did not come up; see $state/slurmctld.log and $state/slurmd.log" >&2
  stop
  exit 1
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop STATE_DIR" >&2; exit 2 ;;
esac
