#!/usr/bin/env bash
# Where an isolated shell's start goes (docs/isolation.md, "What isolation costs"): the pieces of
# the command a session's shell runs, each timed on its own, N times, median in ms. Each step adds
# one piece to the one before (each bwrap line runs under setpriv, as the account, as a session
# does), ending with the whole sandbox. Each is timed from its start to the first byte its shell
# (`bash -c 'echo x'`) writes, as setup to prompt is; its exit and the namespaces' teardown are not
# counted (they happen after the prompt). Needs root and the account tether-alice.
#
# Usage: ./bench/profile-isolation.sh [N]   (default 40)
set -euo pipefail
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${1:-40}
ACCOUNT=tether-alice
uid=$(id -u $ACCOUNT)
gid=$(id -g $ACCOUNT)
shells_gid=$(getent group tether-shells | cut -d: -f3)
home=$(getent passwd $ACCOUNT | cut -d: -f6)
work="$REPO_DIR/bench/target/profile-isolation"
mkdir -p "$work"

# The session's control groups, as Cgroups makes them (v1: pids, memory, cpu).
cg_dirs=()
for controller in pids memory cpu; do
  [[ -f /sys/fs/cgroup/$controller/cgroup.procs ]] && cg_dirs+=("/sys/fs/cgroup/$controller/tether-profile")
done

median() { sort -n | awk '{ a[NR] = $1 } END { printf "%.2f", (a[int((NR + 1) / 2)] + a[int(NR / 2) + 1]) / 2 }'; }

# Variants run round-robin, one run of each per round, so all see the same machine (a loaded
# machine moves every figure; the differences between lines move much less).
names=()
commands=()
variant() {
  names+=("$1")
  shift
  commands+=("$(printf '%q ' "$@")")
}
run_all() {
  local -A times=()
  local round v t0 t1
  for ((round = 0; round < N + 3; round++)); do
    for v in "${!commands[@]}"; do
      t0=$EPOCHREALTIME
      # until the shell's first byte, as setup to prompt is (its exit is not waited for)
      IFS= read -r -n1 _ < <(eval "${commands[$v]}" 2>/dev/null </dev/null) \
        || { echo "failed: ${names[$v]}" >&2; exit 1; }
      t1=$EPOCHREALTIME
      ((round < 3)) || times[$v]+="$((${t1/./} - ${t0/./})) "
    done
  done
  for v in "${!commands[@]}"; do
    printf '%-58s %8s ms\n' "${names[$v]}" \
      "$(tr ' ' '\n' <<<"${times[$v]}" | grep . | median | awk '{ printf "%.2f", $1 / 1000 }')"
  done
}

setpriv=(setpriv --reuid="$uid" --regid="$gid" --groups="$gid,$shells_gid" --no-new-privs
  --inh-caps=-all --bounding-set=-all --)
mounts=(--ro-bind /usr /usr --ro-bind /etc /etc --symlink usr/bin /bin --symlink usr/sbin /sbin
  --symlink usr/lib /lib --symlink usr/lib64 /lib64)
private=(--proc /proc --dev /dev --tmpfs /tmp --tmpfs /var/tmp --bind "$home" "$home" --chdir "$home")
env=(--clearenv --setenv PATH /usr/local/bin:/usr/bin:/bin --setenv HOME "$home" --setenv USER $ACCOUNT
  --setenv LOGNAME $ACCOUNT --setenv SHELL /bin/bash --setenv TERM xterm-256color --setenv LANG C.UTF-8)
bash_exit=(/bin/bash --norc --noprofile -c 'echo x')

join_then() {
  # the join script of SessionCgroup (the groups are made once: making one takes microseconds)
  local n=$1
  shift
  /bin/sh -c 'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 126; shift; n=$((n-1)); done; exec "$@"' \
    sh "$n" "${procs[@]:0:$n}" "$@"
}
for d in "${cg_dirs[@]}"; do mkdir -p "$d/s"; done
procs=("${cg_dirs[@]/%//s/cgroup.procs}")
trap 'for d in "${cg_dirs[@]}"; do rmdir "$d/s" "$d" 2>/dev/null || true; done' EXIT

variant "bash (the floor)" "${bash_exit[@]}"
variant "+ /bin/sh (the join script, no group)" /bin/sh -c 'exec "$@"' sh "${bash_exit[@]}"
variant "+ joining the pids group" join_then 1 "${bash_exit[@]}"
variant "+ joining the session's groups (${#cg_dirs[@]} hierarchies)" join_then ${#cg_dirs[@]} "${bash_exit[@]}"
variant "+ setpriv" "${setpriv[@]}" "${bash_exit[@]}"
variant "setpriv + bwrap --unshare-user --share-net (no mounts)" "${setpriv[@]}" bwrap --unshare-user --share-net --bind / / -- "${bash_exit[@]}"
variant "  --unshare-pid" "${setpriv[@]}" bwrap --unshare-user --unshare-pid --bind / / -- "${bash_exit[@]}"
variant "  --unshare-ipc" "${setpriv[@]}" bwrap --unshare-user --unshare-ipc --bind / / -- "${bash_exit[@]}"
variant "  --unshare-uts --unshare-cgroup" "${setpriv[@]}" bwrap --unshare-user --unshare-uts --unshare-cgroup --bind / / -- "${bash_exit[@]}"
variant "  --disable-userns" "${setpriv[@]}" bwrap --unshare-user --disable-userns --bind / / -- "${bash_exit[@]}"
variant "  --unshare-all --share-net (no --disable-userns)" "${setpriv[@]}" bwrap --unshare-all --unshare-user --share-net --bind / / -- "${bash_exit[@]}"
variant "  + the read-only system paths" "${setpriv[@]}" bwrap --unshare-all --unshare-user --share-net "${mounts[@]}" -- "${bash_exit[@]}"
variant "  + /proc, /dev, /tmp, /var/tmp, the home" "${setpriv[@]}" bwrap --unshare-all --unshare-user --share-net "${mounts[@]}" "${private[@]}" -- "${bash_exit[@]}"
variant "  + --disable-userns --die-with-parent, environment" "${setpriv[@]}" bwrap --unshare-all --unshare-user --disable-userns --die-with-parent --share-net "${mounts[@]}" "${private[@]}" "${env[@]}" -- "${bash_exit[@]}"
variant "  the same with --unshare-net (network=none)" "${setpriv[@]}" bwrap --unshare-all --unshare-user --disable-userns --die-with-parent "${mounts[@]}" "${private[@]}" "${env[@]}" -- "${bash_exit[@]}"
variant "setpriv + bwrap, as a session runs them" "${setpriv[@]}" bwrap --unshare-all --unshare-user --disable-userns --die-with-parent --share-net "${mounts[@]}" "${private[@]}" "${env[@]}" -- "${bash_exit[@]}"
variant "join + setpriv + bwrap (all of it)" join_then ${#cg_dirs[@]} "${setpriv[@]}" bwrap --unshare-all --unshare-user --disable-userns --die-with-parent --share-net "${mounts[@]}" "${private[@]}" "${env[@]}" -- "${bash_exit[@]}"

echo "isolated shell start, piece by piece: median of $N rounds (to the first byte of bash -c 'echo x'); load $(cut -d' ' -f1-3 /proc/loadavg)"
run_all
