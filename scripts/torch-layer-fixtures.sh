#!/usr/bin/env bash
# Regenerate test/fixtures/torch-layers/expected.json from test/fixtures/torch-layers/specs/*.yaml with
# PyTorch (float64, real torch.nn modules and torch.optim). Run by hand (as root, on Debian); CI never runs it.
# Needs Debian's python3-torch and python3-yaml (python3-mpmath and python3-numpy for the exact cross-check).
# /usr/bin/python3 is called explicitly: a pyenv python3 earlier on PATH has no torch.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! /usr/bin/python3 -c 'import torch, yaml, mpmath, numpy' 2>/dev/null; then
  apt-get update
  apt-get install -y python3-torch python3-yaml python3-mpmath python3-numpy
fi

exec /usr/bin/python3 scripts/torch_layer_fixtures.py "$@"
