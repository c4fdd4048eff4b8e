#!/usr/bin/env bash
# Mine every log of a manifest with a Slurm job array into one PostgreSQL review queue.
#   export LONGTAIL_QUEUE='postgresql://longtail:PASSWORD@queue-db:5432/longtail'
#   export LONGTAIL_MANIFEST=/shared/logs/manifest.txt LONGTAIL_CONFIG=/shared/logs/run.pbtxt
#   sbatch --export=ALL docs/deploy/slurm-array.sh
# The #SBATCH lines are defaults; sbatch options on the command line override them, e.g.
#   sbatch --export=ALL --array=0-31 --cpus-per-task=8 --mem=16G docs/deploy/slurm-array.sh
# The environment (the same names as in kubernetes-indexed-job.yaml):
#   LONGTAIL_QUEUE     the postgresql:// URL of the review queue (required)
#   LONGTAIL_MANIFEST  one log per line, on storage every node can read (required)
#   LONGTAIL_CONFIG    run options (pipeline/proto/run.proto, text format; an empty file means the
#                      defaults) (required: every task and every rerun must mine with the same
#                      options, or the options hash differs and the logs are mined again)
#   LONGTAIL_THREADS   threads per task (default: the task's CPUs)
# `longtail` must be on the PATH of the compute nodes.
#SBATCH --job-name=longtail-mine
#SBATCH --array=0-7
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=04:00:00
#SBATCH --requeue
#SBATCH --output=longtail-mine-%A_%a.log
set -euo pipefail

: "${LONGTAIL_QUEUE:?set LONGTAIL_QUEUE to the postgresql:// URL of the review queue}"
: "${LONGTAIL_MANIFEST:?set LONGTAIL_MANIFEST to the manifest file (one log per line)}"
: "${LONGTAIL_CONFIG:?set LONGTAIL_CONFIG to the run options file (may be empty: defaults)}"
LONGTAIL_THREADS="${LONGTAIL_THREADS:-${SLURM_CPUS_PER_TASK:-4}}"

# Slurm sets SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT; longtail reads
# them, so every array task mines its own shard. A requeued task skips the logs it finished.
exec longtail mine --manifest "${LONGTAIL_MANIFEST}" --queue "${LONGTAIL_QUEUE}" \
  --config "${LONGTAIL_CONFIG}" --threads "${LONGTAIL_THREADS}" --json
