# Shared by every script in bin/: one node's settings, the SQL client, the event log.
#
# A node is described by environment variables (node.conf passes them on to mariadbd-node
# and to every hook; supervisord gets them from whoever starts it, run_scenarios.py here):
#   MYSQL_HA_RUN   the run directory: <node>/ per node, the route file 'primary', events.log
#   MYSQL_HA_NODE  this node's name (n1); its files live in $MYSQL_HA_RUN/$MYSQL_HA_NODE
#   MYSQL_HA_ID    its server-id (1, 2, 3: unique per node, kept for life)
#   MYSQL_HA_PORT  its port on 127.0.0.1 (the hooks talk to their own server there)
#   MYSQL_HA_ADVERTISE  where the others reach it (node.conf's [cluster] advertise): its
#                  port, or a proxy in front of it (run_scenarios.py's, to cut the network)
#   MYSQL_HA_VIA   optional: "adv1=via1,adv2=via2": this node reaches the node advertised
#                  at adv1 through via1 (host:port) instead (run_scenarios.py gives each
#                  ordered pair of nodes its own proxy, so that a partition cuts a node's
#                  outgoing replication too). Unset, or no entry for an address: the
#                  address itself (real deployments do not set it). Only bin/follow uses it.
# In cluster mode supervisord adds SUPERVISOR_NODE, SUPERVISOR_NODE_ADDRESS (this node's
# advertise), SUPERVISOR_PRIMARY_NODE and SUPERVISOR_PRIMARY_ADDRESS.
set -u
: "${MYSQL_HA_RUN:?MYSQL_HA_RUN is not set}" "${MYSQL_HA_NODE:?MYSQL_HA_NODE is not set}"
: "${MYSQL_HA_PORT:?MYSQL_HA_PORT is not set}"
NODE=$MYSQL_HA_NODE
NODE_DIR=$MYSQL_HA_RUN/$NODE
PORT=$MYSQL_HA_PORT
# The replication account every node has (created unbinlogged by bootstrap-datadir).
REPL_USER=repl
REPL_PASSWORD=replpw

# sql [client options] -e '...': root over TCP on this node; never reads /etc/mysql (--no-defaults).
sql() {
  mariadb --no-defaults -uroot -h127.0.0.1 -P"$PORT" --connect-timeout=2 "$@"
}

# event EVENT [DETAIL]: appends "<epoch seconds> <node> EVENT DETAIL" to the shared event log in
# one write (O_APPEND), the line format tests/integration/cluster_harness.py's Timeline reads.
event() {
  printf '%s %s %s\n' "$EPOCHREALTIME" "$NODE" "$*" >>"$MYSQL_HA_RUN/events.log"
}

# fail MESSAGE: logs the failure as an event, says why on stderr (supervisord logs it), exit 1.
fail() {
  event "${HOOK:-hook}_failed" "$*"
  echo "$NODE ${HOOK:-hook}: $*" >&2
  exit 1
}

# via ADDRESS: where this node connects to reach the node advertised at ADDRESS (host:port):
# its MYSQL_HA_VIA entry, or ADDRESS itself.
via() {
  local list=${MYSQL_HA_VIA:-} entry
  for entry in ${list//,/ }; do
    if [ "${entry%%=*}" = "$1" ]; then
      printf '%s\n' "${entry#*=}"
      return
    fi
  done
  printf '%s\n' "$1"
}

# app_access on|off: whether the application's account may connect here. Only the primary
# lets it in: a former primary restarted, demoted or cut off, with the route still naming
# it, must not serve reads older than what clients already saw (the nemesis's monotonic
# reads). Not binlogged (each node decides for itself); "off" also ends the app's sessions.
app_access() {
  local verb=LOCK
  [ "$1" = on ] && verb=UNLOCK
  sql -e "SET sql_log_bin = 0; ALTER USER 'app'@'127.0.0.1' ACCOUNT $verb;" || return 1
  if [ "$1" = off ]; then
    local id
    for id in $(sql -N -B -e "SELECT id FROM information_schema.processlist WHERE user = 'app'"); do
      sql -e "KILL $id" 2>/dev/null
    done
  fi
  return 0
}

# gtid_seq_sum LIST: the sum over domains of a GTID list's sequence numbers ("0-1-42,1-2-7" -> 49).
gtid_seq_sum() {
  awk -v list="$1" 'BEGIN { n = split(list, g, ","); s = 0
    for (i = 1; i <= n; i++) if (split(g[i], p, "-") == 3) s += p[3]; print s }'
}

# field NAME: the value of "NAME: value" in vertical (\G) client output on stdin.
field() {
  awk -F': ' -v name="$1" '{ sub(/^ +/, "") } $1 == name { sub(/^[^:]*: ?/, ""); print; exit }'
}
