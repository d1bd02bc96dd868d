# Shared by the capture scripts of tests/scripts: background processes in network namespaces, bounded in time,
# and the removal of a namespace with whatever still runs in it. Needs WORK (a work folder) and PIDS (an
# associative array, name -> pid) set by the script that sources it.

# Removes a namespace after killing what still runs in it.
remove_namespace() {
  local ns=$1 pid
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
  timeout 10 ip netns delete "$ns" 2>/dev/null || true
}

# Starts a long-running process in a namespace under a timeout (so it dies even if the script is killed): 160 s,
# or BG_SECONDS when the sourcing script sets it (to its own bound: a daemon must outlive every scenario).
start_bg() {
  local name=$1 ns=$2; shift 2
  timeout --kill-after=5 "${BG_SECONDS:-160}" ip netns exec "$ns" "$@" >>"$WORK/$name.out" 2>&1 &
  PIDS[$name]=$!
}

# Stops a process start_bg started (TERM unless told otherwise) and waits for it.
stop_bg() {
  local name=$1 sig=${2:-TERM}
  [ -n "${PIDS[$name]:-}" ] || return 0
  kill -"$sig" "${PIDS[$name]}" 2>/dev/null || true
  wait "${PIDS[$name]}" 2>/dev/null || true
  unset "PIDS[$name]"
}
