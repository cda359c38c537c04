#!/bin/sh
# Four shards of one input on one machine with GNU parallel, one rate limit
# for all four in a local Redis, then the merge. {} is the shard's index.
set -e
redis-server --port 6379 --save '' --daemonize yes
parallel -j4 enrich tickets.csv -o part-{}.csv --prompt-file triage.tmpl \
  --shard {}/4 --rpm 5000 --limit-store redis://127.0.0.1:6379/0 ::: 0 1 2 3
enrich merge -o triaged.csv part-*.csv
