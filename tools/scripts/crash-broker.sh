#!/usr/bin/env bash
# Crashes a real mosquitto (SIGKILL, persistence off: its queues, sessions and retained messages die
# with it) every INTERVAL seconds and starts it again on the same config, COUNT times. Run it beside
# a simulation against that broker to see what end-to-end acknowledgement (issue 19) saves:
#
#   mosquitto -c m.conf -d                      # listener 1883, allow_anonymous true, persistence false
#   tools/scripts/crash-broker.sh m.conf 8 3 &
#   dotnet run --project tools/CityNode.Cli -- simulate --broker mqtt://127.0.0.1:1883 --nodes 10 --duration 1d --speed 3600 --json
#   (and again with --ack broker)
set -euo pipefail
conf=${1:?usage: crash-broker.sh MOSQUITTO_CONF [INTERVAL_S] [COUNT]}
interval=${2:-20}
count=${3:-5}
[ -r "$conf" ] || { echo "crash-broker: $conf: cannot read the mosquitto config" >&2; exit 1; }
for i in $(seq 1 "$count"); do
  sleep "$interval"
  pid=$(pgrep -f -- "mosquitto -c $conf" | head -n1 || true)
  if [ -z "$pid" ]; then
    echo "crash-broker: no mosquitto running with -c $conf" >&2
    exit 1
  fi
  kill -KILL "$pid"
  sleep 1
  mosquitto -c "$conf" -d
  echo "crash-broker: crash $i of $count (pid $pid killed, restarted)" >&2
done
