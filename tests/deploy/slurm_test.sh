#!/usr/bin/env bash
# docs/deploy/slurm-array.sh on a real Slurm: a one-node cluster on this machine (munged, slurmctld
# and slurmd on loopback, with a fresh munge key, config and state in a scratch folder) runs the
# documented array job, unchanged, exactly as a user submits it: N array tasks mine a manifest of
# real logs into a fresh PostgreSQL schema. Checks:
#  1. every task mined its own shard (i/N from SLURM_ARRAY_TASK_ID) and the queue equals a serial
#     `longtail mine` of the same manifest (every task's detail and the mined-logs ledger; ids and
#     times aside);
#  2. a task cancelled mid-run (scancel, after it enqueued part of its work) and requeued leaves no
#     duplicate and no gap;
#  3. submitting the whole array again adds nothing: every log is in the ledger.
# Every daemon and job is stopped on exit, failed or not.
# Usage: slurm_test.sh LONGTAIL_BIN SOURCE_DIR
# Needs root (slurmd starts the jobs), slurm-wlm, munge, psql, jq, LONGTAIL_TEST_POSTGRES_URL and
# ../shared/data; without one it skips (exit 77) or, under CI=true, fails: there a skip would hide
# a broken deployment path.
set -euo pipefail
longtail_bin="$(realpath "$1")"
source_dir="$(realpath "$2")"
shards="${LONGTAIL_SLURM_TEST_SHARDS:-2}"
export PATH="${PATH}:/usr/sbin:/sbin"
started=${SECONDS}
# Under ctest's TIMEOUT, so that a hang still ends in the cleanup below, not in a SIGKILL.
deadline=$((SECONDS + ${LONGTAIL_SLURM_TEST_BUDGET_S:-480}))

skip() {
  if [[ "${CI:-}" == "true" ]]; then
    echo "FAIL: $1 (CI must run this test: scripts/install-deps.sh --test, as root)" >&2
    exit 1
  fi
  echo "SKIP: $1"
  exit 77
}
[[ "$(id -u)" == 0 ]] || skip "not root: slurmd must run as root to start jobs"
for tool in munged slurmctld slurmd sbatch squeue scontrol scancel sinfo psql jq; do
  command -v "${tool}" >/dev/null ||
    skip "${tool} is not installed (scripts/install-deps.sh --test)"
done
[[ -n "${LONGTAIL_TEST_POSTGRES_URL:-}" ]] ||
  skip "LONGTAIL_TEST_POSTGRES_URL is unset (scripts/start-test-postgres.sh)"
data="${LONGTAIL_SHARED_DATA:-${source_dir}/../shared/data}"
kitti_raw="${data}/kitti-raw/2011_09_26"
[[ -d "${kitti_raw}/2011_09_26_drive_0005_sync" && -d "${data}/ros-logs" ]] ||
  skip "${data} (kitti-raw, ros-logs) is absent"

scratch="$(mktemp -d "${TMPDIR:-/tmp}/longtail-slurm.XXXXXX")"
pg_base="${LONGTAIL_TEST_POSTGRES_URL}"
schema_prefix="lt_slurm_$$"
export SLURM_CONF="${scratch}/slurm.conf"

psql_base() { psql "${pg_base}" -v ON_ERROR_STOP=1 -qAtX "$@"; }
schema_url() {  # the queue URL of a schema, as the queue tests make them
  local separator='?'
  [[ "${pg_base}" == *'?'* ]] && separator='&'
  echo "${pg_base}${separator}options=-csearch_path%3D$1"
}

stop_pid_file() {  # TERM the process in a pid file, wait for it, KILL it if it lingers
  local pid
  [[ -s "$1" ]] || return 0
  pid="$(cat "$1")"
  kill "${pid}" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 "${pid}" 2>/dev/null || return 0
    sleep 0.2
  done
  kill -KILL "${pid}" 2>/dev/null || true
}

cleanup() {
  local status=$?
  set +e
  if [[ -s "${scratch}/slurmctld.pid" ]]; then
    # Cancel every job first, so that no slurmstepd or longtail outlives the daemons.
    squeue -h -o %A 2>/dev/null | sort -u | xargs -r scancel 2>/dev/null
    for _ in $(seq 1 100); do
      [[ -z "$(squeue -h -o %A 2>/dev/null)" ]] && break
      sleep 0.2
    done
  fi
  stop_pid_file "${scratch}/slurmd.pid"
  stop_pid_file "${scratch}/slurmctld.pid"
  stop_pid_file "${scratch}/munge/munged.pid"
  psql_base -c "SET client_min_messages = warning" \
    -c "DROP SCHEMA IF EXISTS ${schema_prefix}_serial CASCADE" \
    -c "DROP SCHEMA IF EXISTS ${schema_prefix}_array CASCADE" >/dev/null 2>&1
  if [[ "${status}" != 0 ]]; then
    for file in "${scratch}"/slurmctld.log "${scratch}"/slurmd.log "${scratch}"/jobs/*; do
      [[ -f "${file}" ]] || continue
      echo "--- ${file} (last lines)"
      tail -n 25 "${file}"
    done
  fi
  rm -rf "${scratch}"
  echo "slurm test: $((SECONDS - started)) s, exit ${status}"
  exit "${status}"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
wait_for() {  # wait_for WHAT COMMAND...: poll until COMMAND succeeds, fail at the deadline
  local what="$1"
  shift
  until "$@"; do
    ((SECONDS < deadline)) || fail "timed out waiting for ${what}"
    sleep 0.2
  done
}
free_port() {  # the first port from $1 on that nothing listens on
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; do port=$((port + 1)); done
  echo "${port}"
}

# --- The cluster: munged with its own key, slurmctld and slurmd for one node named localhost. ---
mkdir -p "${scratch}/munge" "${scratch}/ctld" "${scratch}/spool" "${scratch}/jobs"
chmod 711 "${scratch}" "${scratch}/munge"
head -c 1024 /dev/urandom >"${scratch}/munge/munge.key"
chmod 400 "${scratch}/munge/munge.key"
munged --force --socket="${scratch}/munge/munge.socket" \
  --key-file="${scratch}/munge/munge.key" --pid-file="${scratch}/munge/munged.pid" \
  --log-file="${scratch}/munge/munged.log" --seed-file="${scratch}/munge/munged.seed"

ctld_port="$(free_port $((20000 + ($$ % 10000) * 2)))"
slurmd_port="$(free_port $((ctld_port + 1)))"
memory_mb=$(($(sed -n 's/^MemTotal:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/meminfo) / 1024 - 512))
cat >"${SLURM_CONF}" <<EOF
# A one-node cluster for tests: loopback only, no accounting, everything in ${scratch}.
ClusterName=longtail-test
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=${ctld_port}
SlurmdPort=${slurmd_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=${scratch}/munge/munge.socket
StateSaveLocation=${scratch}/ctld
SlurmdSpoolDir=${scratch}/spool
SlurmctldPidFile=${scratch}/slurmctld.pid
SlurmdPidFile=${scratch}/slurmd.pid
SlurmctldLogFile=${scratch}/slurmctld.log
SlurmdLogFile=${scratch}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 RealMemory=${memory_mb} State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -i -f "${SLURM_CONF}"
slurmd -f "${SLURM_CONF}" -N localhost
node_idle() { [[ "$(sinfo -h -n localhost -o %t 2>/dev/null)" == idle ]]; }
wait_for "the node to be idle" node_idle
echo "cluster up in $((SECONDS - started)) s (slurmctld :${ctld_port}, slurmd :${slurmd_port})"

# --- The logs: every real drive log in ../shared/data that mines, and the bundled sample drive. ---
# Task 0 gets the sample drive first, then the two longest (KITTI raw): time to cancel it midway.
ros_logs="${data}/ros-logs"
manifest="${scratch}/manifest.txt"
cat >"${manifest}" <<EOF
${source_dir}/sample_logs/kitti/2026_01_01/2026_01_01_drive_0001_sync
${ros_logs}/mcap-ros1-ouster/test.mcap
${kitti_raw}/2011_09_26_drive_0005_sync
${ros_logs}/mcap-ros2-ouster/pointcloudset_os1_ros2_0.mcap
${kitti_raw}/2011_09_26_drive_0052_sync
${ros_logs}/ros1-bag-luminar/test.bag
EOF
: >"${scratch}/run.pbtxt"
serial_url="$(schema_url "${schema_prefix}_serial")"
array_url="$(schema_url "${schema_prefix}_array")"
psql_base -c "SET client_min_messages = warning" \
  -c "CREATE SCHEMA ${schema_prefix}_serial" -c "CREATE SCHEMA ${schema_prefix}_array"

# The reference: one process mines the whole manifest.
"${longtail_bin}" mine --manifest "${manifest}" --queue "${serial_url}" \
  --config "${scratch}/run.pbtxt" --threads 2 --json >"${scratch}/serial.json"
mapfile -t log_ids < <(jq -r '.logs[].log_id' "${scratch}/serial.json")
serial_tasks="$(jq '.tasks_in_queue' "${scratch}/serial.json")"
echo "serial run: ${#log_ids[@]} logs, ${serial_tasks} tasks in $((SECONDS - started)) s"
((serial_tasks > 0)) || fail "the serial run queued nothing: nothing to compare"

# --- 1. The documented array job, submitted as the docs say. ---
mkdir -p "${scratch}/bin"
ln -s "${longtail_bin}" "${scratch}/bin/longtail"
export PATH="${scratch}/bin:${PATH}"
export LONGTAIL_QUEUE="${array_url}" LONGTAIL_MANIFEST="${manifest}"
export LONGTAIL_CONFIG="${scratch}/run.pbtxt"
unset LONGTAIL_THREADS
submit_array() {  # sbatch the documented script, sized for this machine; prints the job id
  sbatch --parsable --export=ALL --array="0-$((shards - 1))" --cpus-per-task=1 --mem=1G \
    --time=10 --chdir="${scratch}" --output="${scratch}/jobs/%A_%a.out" \
    --error="${scratch}/jobs/%A_%a.err" "${source_dir}/docs/deploy/slurm-array.sh"
}
job="$(submit_array)"
echo "submitted array job ${job}: ${shards} tasks"

# --- 2. Cancel a task midway and requeue it. ---
# The task to cancel: the first one with two logs or more, once its first log is in the ledger and
# its last is not: a cancel mid-run.
victim=-1
for ((i = 0; i < shards; i++)); do
  if ((i + shards < ${#log_ids[@]})); then victim=${i}; break; fi
done
((victim >= 0)) || fail "no task has two logs: add logs to the manifest or lower the shard count"
first_log="${log_ids[victim]}"
last_log="${log_ids[victim + shards * ((${#log_ids[@]} - 1 - victim) / shards)]}"
array_sql() { psql "${array_url}" -v ON_ERROR_STOP=1 -qAtX -c "$1" 2>/dev/null; }
ledger_has() { [[ "$(array_sql "SELECT count(*) FROM mined_logs WHERE log_id = '$1'")" == 1 ]]; }
task_state() { scontrol -o show job "$1" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'; }
midway() { ledger_has "${first_log}" && ! ledger_has "${last_log}"; }
# A task that ends before the poll sees it midway fails the test now, not at the deadline.
midway_or_ended() { midway || [[ "$(task_state "${job}_${victim}")" =~ COMPLETED|FAILED ]]; }
wait_for "task ${victim} to finish ${first_log}" midway_or_ended
midway || fail "task ${victim} ended before it could be cancelled midway"
scancel "${job}_${victim}"
cancelled() { [[ "$(task_state "${job}_${victim}")" == CANCELLED ]]; }
wait_for "task ${victim} to be cancelled" cancelled
! ledger_has "${last_log}" || fail "the cancel came too late: task ${victim} had finished"
unfinished="$(array_sql "SELECT count(*) FROM mined_logs")"
echo "cancelled task ${victim} midway: ${unfinished} of ${#log_ids[@]} logs in the ledger"

# Resubmit it: requeue the same array task, so it keeps its shard. Slurm holds a requeued job
# for a while; StartTime=now releases it at once.
scontrol requeue "${job}_${victim}"
scontrol update JobId="${job}_${victim}" StartTime=now
array_done() { [[ -z "$(squeue -h -j "${job}" 2>/dev/null)" ]]; }
wait_for "array job ${job} to finish" array_done
for ((i = 0; i < shards; i++)); do
  state="$(task_state "${job}_${i}")"
  [[ "${state}" == COMPLETED ]] || fail "task ${i} ended ${state}"
  out="${scratch}/jobs/${job}_${i}.out"
  # A requeued task may append to its output: its last JSON document is its final run's.
  shard="$(jq -rs 'last | .shard + " " + .shard_source' "${out}")"
  [[ "${shard}" == "${i}/${shards} SLURM_ARRAY_TASK_ID" ]] ||
    fail "task ${i} did not mine shard ${i}/${shards}: $(cat "${out}")"
done
echo "array done in $((SECONDS - started)) s"

# The queue equals the serial one: every task's detail and the ledger.
snapshot() {  # snapshot URL OUT: the queue without ids and times, sorted by each task's key
  local id
  "${longtail_bin}" queue list --queue "$1" --json | jq -r '.[].id' | while read -r id; do
    "${longtail_bin}" queue show "${id}" --queue "$1" --json
  done | jq -s 'map(del(.id, .created_ns, .updated_ns) |
                    .audit |= map({actor, action, from_state, to_state}))
                | sort_by(.log_id, .detectors, .first_frame, .last_frame, .options_hash)' >"$2"
  psql "$1" -v ON_ERROR_STOP=1 -qAtX \
    -c "SELECT log_id, options_hash, log_path, tasks FROM mined_logs ORDER BY log_id" >"$2.ledger"
}
compare_with_serial() {  # compare_with_serial WHEN
  snapshot "${serial_url}" "${scratch}/serial.snapshot"
  snapshot "${array_url}" "${scratch}/array.snapshot"
  local count duplicates
  count="$(jq length "${scratch}/array.snapshot")"
  duplicates="$(jq '[group_by([.log_id, .detectors, .first_frame, .last_frame, .options_hash])[]
                    | select(length > 1)] | length' "${scratch}/array.snapshot")"
  echo "$1: ${count} tasks (serial ${serial_tasks}), ${duplicates} duplicated," \
    "$(wc -l <"${scratch}/array.snapshot.ledger") logs in the ledger"
  [[ "${duplicates}" == 0 ]] || fail "$1: the queue has duplicate tasks"
  diff -u "${scratch}/serial.snapshot.ledger" "${scratch}/array.snapshot.ledger" ||
    fail "$1: the array's mined-logs ledger differs from the serial run's"
  diff -u "${scratch}/serial.snapshot" "${scratch}/array.snapshot" >"${scratch}/diff" ||
    fail "$1: the array's queue differs from the serial run's:$(echo; head -n 60 "${scratch}/diff")"
  echo "$1: the queue equals the serial run's"
}
compare_with_serial "array with a cancelled and requeued task"
# The requeued task skipped the log it had finished and mined the interrupted ones.
requeued_out="${scratch}/jobs/${job}_${victim}.out"
already_mined() { jq -rs --arg id "$1" 'last | .logs[] | select(.log_id == $id) | .already_mined' \
  "${requeued_out}"; }
[[ "$(already_mined "${first_log}")" == true ]] || fail "the requeued task mined ${first_log} again"
[[ "$(already_mined "${last_log}")" == false ]] || fail "the requeued task did not mine ${last_log}"

# --- 3. The whole array again: every log is in the ledger, nothing is added. ---
job="$(submit_array)"
wait_for "array job ${job} to finish" array_done
for ((i = 0; i < shards; i++)); do
  out="${scratch}/jobs/${job}_${i}.out"
  [[ "$(task_state "${job}_${i}")" == COMPLETED ]] || fail "rerun task ${i} failed: $(cat "${out}")"
  [[ "$(jq -s 'last | [.logs[] | select(.already_mined | not)] | length' "${out}")" == 0 ]] ||
    fail "rerun task ${i} mined a log again: $(cat "${out}")"
done
compare_with_serial "the array submitted again"
echo "PASS in $((SECONDS - started)) s"
