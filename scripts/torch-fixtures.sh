#!/usr/bin/env bash
# Regenerate test/fixtures/torch/expected.json from test/fixtures/torch/specs/*.yaml with PyTorch (float64).
# Run by hand (as root, on Debian); CI never runs it. Needs Debian's python3-torch and python3-yaml
# (python3-mpmath, which python3-torch already pulls in, powers the exact cross-check the generator prints).
# /usr/bin/python3 is called explicitly: a pyenv python3 earlier on PATH has no torch.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! /usr/bin/python3 -c 'import torch, yaml, mpmath' 2>/dev/null; then
  apt-get update
  apt-get install -y python3-torch python3-yaml python3-mpmath
fi

exec /usr/bin/python3 scripts/torch_fixtures.py "$@"
