#!/usr/bin/env bash
# Fails when dist/ is not what `npm run build` makes from src/: GitHub runs dist/, so it must be current.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/build.ts
if [ -n "$(git status --porcelain -- dist/)" ]; then
  git status --short -- dist/
  echo "dist/ is stale: run 'npm run build' and commit dist/" >&2
  exit 1
fi
