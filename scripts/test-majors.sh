#!/usr/bin/env bash
# pnpm test:majors: the conformance suite with both servers on each other Node
# major CI covers. node:http's bytes change between majors, and the raw server
# must follow the Node it runs on; vitest itself stays on this Node.
set -euo pipefail
cd "$(dirname "$0")/.."
for major in 22 24; do
  printf '\n=== conformance with the servers on Node %s\n' "$major"
  node_bin="$(npx -y "node@$major" -p process.execPath)"
  # The per-stage gradings (tagged slow) grade lessons, not Node's bytes: the slow tier runs them once.
  HOOK_OBSERVATORY_TEST_NODE="$node_bin" pnpm test:conformance --tags-filter='!slow'
done
