#!/usr/bin/env bash
# docs/deploy/kubernetes-indexed-job.yaml agrees with docs/deploy/slurm-array.sh, without a cluster:
#  1. the Job's shape: Indexed, completions = parallelism = JOB_COMPLETIONS = the Slurm array size,
#     a retried shard (backoffLimitPerIndex / --requeue), threads = CPU request = --cpus-per-task,
#     the image tagged with the project's version, paths under the mounted volumes;
#  2. the pod's command, rendered as Kubernetes does ($(VAR) from the container's env), is the very
#     argv the Slurm script runs with the same environment (a fake `longtail` records both);
#  3. with the real binary, pod JOB_COMPLETION_INDEX=i and array task SLURM_ARRAY_TASK_ID=i mine the
#     same shard i/N of a manifest, and the N shards cover every log exactly once.
# Usage: kubernetes_manifest_test.sh LONGTAIL_BIN SOURCE_DIR
# Needs jq: without it skips (exit 77), or fails under CI=true.
set -euo pipefail
if ! command -v jq >/dev/null; then
  why="jq is not installed (scripts/install-deps.sh --test)"
  [[ "${CI:-}" == "true" ]] && { echo "FAIL: ${why}"; exit 1; }
  echo "SKIP: ${why}"
  exit 77
fi
longtail_bin="$(realpath "$1")"
source_dir="$(realpath "$2")"
yaml="${source_dir}/docs/deploy/kubernetes-indexed-job.yaml"
slurm="${source_dir}/docs/deploy/slurm-array.sh"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/longtail-k8s-test.XXXXXX")"
trap 'rm -rf "${scratch}"' EXIT

failures=0
check() {  # check WHAT EXPECTED ACTUAL
  if [[ "$2" == "$3" ]]; then
    echo "ok   $1: $3"
  else
    echo "FAIL $1: expected '$2', got '$3'"
    failures=$((failures + 1))
  fi
}

# --- A tiny reader for the fields this manifest uses (block mappings, flow sequences). ---
# The value of the first `KEY: value` line, without comment and quotes.
yaml_field() {
  sed -n "s/^[[:space:]]*$1:[[:space:]]*\([^#]*\).*\$/\1/p" "${yaml}" | head -n 1 |
    sed 's/[[:space:]]*$//; s/^"\(.*\)"$/\1/'
}
# The container's env as NAME=VALUE lines; a secretKeyRef value is "<secret>".
yaml_env() {
  awk '
    /^[[:space:]]*env:[[:space:]]*$/ { indent = match($0, /[^ ]/); on = 1; next }
    on && match($0, /[^ ]/) <= indent { on = 0 }
    on && /- name:/ { sub(/.*- name:[[:space:]]*/, ""); sub(/[[:space:]]*#.*/, ""); name = $0 }
    on && /^[[:space:]]*value:/ { sub(/^[[:space:]]*value:[[:space:]]*/, "");
                                  sub(/[[:space:]]*#.*/, ""); gsub(/^"|"$/, ""); print name "=" $0 }
    on && /^[[:space:]]*valueFrom:/ { print name "=<secret>" }
  ' "${yaml}"
}
# The command's flow sequence ["a", "b", ...], possibly over several lines, one item a line.
yaml_command() {
  awk '/^[[:space:]]*command:/ { on = 1 } on { print } on && /\]/ { exit }' "${yaml}" |
    grep -o '"[^"]*"' | sed 's/^"//; s/"$//'
}
sbatch_option() {  # the value of `#SBATCH --NAME=VALUE`
  sed -n "s/^#SBATCH --$1=\(.*\)\$/\1/p" "${slurm}" | head -n 1
}

declare -A pod_env=()
while IFS='=' read -r name value; do pod_env["${name}"]="${value}"; done < <(yaml_env)
mapfile -t pod_command < <(yaml_command)

# --- 1. The Job's shape against the Slurm array's. ---
array="$(sbatch_option array)"  # e.g. 0-7
array_size=$(( ${array#*-} - ${array%-*} + 1 ))
check "completionMode" "Indexed" "$(yaml_field completionMode)"
check "completions = Slurm array size" "${array_size}" "$(yaml_field completions)"
check "parallelism = Slurm array size" "${array_size}" "$(yaml_field parallelism)"
check "JOB_COMPLETIONS = completions" "$(yaml_field completions)" \
  "${pod_env[JOB_COMPLETIONS]:-unset}"
check "restartPolicy" "Never" "$(yaml_field restartPolicy)"
check "a failed shard is retried alone (Slurm --requeue)" "yes" \
  "$([[ -n "$(yaml_field backoffLimitPerIndex)" ]] && grep -qx '#SBATCH --requeue' "${slurm}" &&
      echo yes || echo no)"
cpu_request="$(sed -n 's/.*requests:.*cpu:[[:space:]]*"\{0,1\}\([0-9]*\)"\{0,1\}.*/\1/p' "${yaml}")"
check "CPU request = --cpus-per-task" "$(sbatch_option cpus-per-task)" "${cpu_request}"
check "LONGTAIL_THREADS = CPU request" "${cpu_request}" "${pod_env[LONGTAIL_THREADS]:-unset}"
project_version="$(sed -n 's/^project(longtail VERSION \([0-9.]*\).*/\1/p' \
  "${source_dir}/CMakeLists.txt")"
check "image tag = project version" "${project_version}" "$(yaml_field image | sed 's/.*://')"
check "LONGTAIL_QUEUE comes from a secret" "<secret>" "${pod_env[LONGTAIL_QUEUE]:-unset}"
mounts="$(sed -n 's/.*mountPath:[[:space:]]*\([^,}]*\).*/\1/p' "${yaml}")"
for name in LONGTAIL_MANIFEST LONGTAIL_CONFIG; do
  mounted=no
  for mount in ${mounts}; do [[ "${pod_env[${name}]:-}" == "${mount}/"* ]] && mounted=yes; done
  check "${name} (${pod_env[${name}]:-unset}) lies on a mounted volume" yes "${mounted}"
done
# Every name the Slurm script requires is set in the pod, so both read the same environment.
for name in $(grep -o '^: "\${LONGTAIL_[A-Z_]*:?' "${slurm}" | grep -o 'LONGTAIL_[A-Z_]*'); do
  check "the pod sets ${name}" yes "$([[ -n "${pod_env[${name}]:-}" ]] && echo yes || echo no)"
done

# Renders the pod's command as Kubernetes does: $(NAME) becomes the container's env value (a name
# it does not define stays as written, which the comparison then shows).
render_pod_command() {  # render_pod_command NAME=VALUE... (the container's env)
  local -A env=()
  local pair
  for pair in "$@"; do env["${pair%%=*}"]="${pair#*=}"; done
  local arg name
  for arg in "${pod_command[@]}"; do
    for name in "${!env[@]}"; do arg="${arg//\$(${name})/${env[${name}]}}"; done
    printf '%s\n' "${arg}"
  done
}
pod_env_pairs() {  # the pod's env, with the secret and the mounted paths given values
  local name
  for name in "${!pod_env[@]}"; do
    case "${name}" in
      LONGTAIL_QUEUE) echo "${name}=$1" ;;
      LONGTAIL_MANIFEST) echo "${name}=${2:-${pod_env[${name}]}}" ;;
      LONGTAIL_CONFIG) echo "${name}=${3:-${pod_env[${name}]}}" ;;
      *) echo "${name}=${pod_env[${name}]}" ;;
    esac
  done
}
# The environment sbatch gives array task i: the submitter's (--export=ALL) and Slurm's own.
run_slurm_task() {  # run_slurm_task INDEX QUEUE MANIFEST CONFIG
  env -u LONGTAIL_THREADS -u JOB_COMPLETION_INDEX -u JOB_COMPLETIONS \
    LONGTAIL_QUEUE="$2" LONGTAIL_MANIFEST="$3" LONGTAIL_CONFIG="$4" \
    SLURM_ARRAY_TASK_ID="$1" SLURM_ARRAY_TASK_MIN="${array%-*}" \
    SLURM_ARRAY_TASK_COUNT="${array_size}" SLURM_CPUS_PER_TASK="$(sbatch_option cpus-per-task)" \
    bash "${slurm}"
}
run_pod() {  # run_pod INDEX QUEUE MANIFEST CONFIG
  mapfile -t pairs < <(pod_env_pairs "$2" "${3:-}" "${4:-}")
  mapfile -t argv < <(render_pod_command "${pairs[@]}")
  env -u LONGTAIL_THREADS -u SLURM_ARRAY_TASK_ID "${pairs[@]}" JOB_COMPLETION_INDEX="$1" \
    "${argv[@]}"
}

# --- 2. The same argv from both, with a fake longtail that records it. ---
mkdir -p "${scratch}/fake-bin"
cat >"${scratch}/fake-bin/longtail" <<'EOF'
#!/usr/bin/env bash
printf '%s\n' "$@"
EOF
chmod +x "${scratch}/fake-bin/longtail"
queue_url="postgresql://longtail@queue-db:5432/longtail"
slurm_argv="$(PATH="${scratch}/fake-bin:${PATH}" run_slurm_task 0 "${queue_url}" \
  "${pod_env[LONGTAIL_MANIFEST]}" "${pod_env[LONGTAIL_CONFIG]}" | paste -sd ' ')"
pod_argv="$(PATH="${scratch}/fake-bin:${PATH}" run_pod 0 "${queue_url}" | paste -sd ' ')"
check "the pod's command = the Slurm task's" "${slurm_argv}" "${pod_argv}"
check "the program both run" "longtail" "${pod_command[0]}"

# --- 3. The real binary: pod i and array task i mine the same shard; the shards cover the logs. ---
manifest="${scratch}/logs/manifest.txt"
mkdir -p "${scratch}/logs" "${scratch}/bin"
for n in $(seq 1 $((array_size + 3))); do echo "drive_${n}" >>"${manifest}"; done  # none exists
: >"${scratch}/run.pbtxt"
ln -s "${longtail_bin}" "${scratch}/bin/longtail"
json() { jq -r "$1" "$2" 2>/dev/null || echo "(no JSON summary)"; }  # json FILTER FILE
covered=()
for i in $(seq 0 $((array_size - 1))); do
  for who in pod slurm; do
    set +e
    if [[ "${who}" == pod ]]; then
      PATH="${scratch}/bin:${PATH}" run_pod "${i}" "${scratch}/queue-${who}.db" "${manifest}" \
        "${scratch}/run.pbtxt" >"${scratch}/${who}-${i}.json" 2>"${scratch}/${who}-${i}.err"
    else
      PATH="${scratch}/bin:${PATH}" run_slurm_task "${i}" "${scratch}/queue-${who}.db" \
        "${manifest}" "${scratch}/run.pbtxt" >"${scratch}/${who}-${i}.json" \
        2>"${scratch}/${who}-${i}.err"
    fi
    status=$?
    set -e
    # The logs do not exist: every shard with logs stops on them (exit 3), and says so.
    check "${who} ${i}: exit code (3: logs missing)" 3 "${status}"
    [[ "${status}" == 3 ]] || cat "${scratch}/${who}-${i}.err"
  done
  check "pod ${i}: shard" "${i}/${array_size} JOB_COMPLETION_INDEX" \
    "$(json '.shard + " " + .shard_source' "${scratch}/pod-${i}.json")"
  check "slurm task ${i}: shard" "${i}/${array_size} SLURM_ARRAY_TASK_ID" \
    "$(json '.shard + " " + .shard_source' "${scratch}/slurm-${i}.json")"
  pod_logs="$(json '[.logs[].path] | join(" ")' "${scratch}/pod-${i}.json")"
  check "pod ${i} and slurm task ${i}: the same logs" "${pod_logs}" \
    "$(json '[.logs[].path] | join(" ")' "${scratch}/slurm-${i}.json")"
  covered+=(${pod_logs})
done
check "the shards cover every log exactly once" \
  "$(sed "s|^|${scratch}/logs/|" "${manifest}" | sort | paste -sd ' ')" \
  "$(printf '%s\n' "${covered[@]}" | sort | paste -sd ' ')"

if ((failures > 0)); then
  echo "${failures} check(s) failed"
  exit 1
fi
echo "the Kubernetes Indexed Job and the Slurm array agree"
