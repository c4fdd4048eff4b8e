#!/usr/bin/env bash
# Mine every log of manifest.txt with an array of 8 tasks into one PostgreSQL review queue.
#   export LONGTAIL_QUEUE='postgresql://longtail:PASSWORD@queue-db:5432/longtail'
#   sbatch --export=ALL docs/deploy/slurm-array.sh /shared/logs/manifest.txt
#SBATCH --job-name=longtail-mine
#SBATCH --array=0-7
#SBATCH --cpus-per-task=4
#SBATCH --mem=8G
#SBATCH --time=04:00:00
#SBATCH --requeue
#SBATCH --output=longtail-mine-%A_%a.log
set -euo pipefail

MANIFEST="${1:?usage: sbatch slurm-array.sh MANIFEST}"
: "${LONGTAIL_QUEUE:?set LONGTAIL_QUEUE to the postgresql:// URL of the review queue}"

# Slurm sets SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT; longtail reads
# them, so every array task mines its own shard. A requeued task skips the logs it finished.
exec longtail mine --manifest "${MANIFEST}" --queue "${LONGTAIL_QUEUE}" \
  --threads "${SLURM_CPUS_PER_TASK:-4}" --json
