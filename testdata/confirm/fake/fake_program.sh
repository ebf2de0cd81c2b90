#!/bin/sh
# fake_program.sh - stands in for a program linked with libcyc in the command-line tests of
# `cyclops confirm`: it appends the records of REPORT (JSON Lines, as the collector writes
# them) to "$CYC_REPORT", prints a line, and exits with STATUS, or kills itself with SIGTERM
# when STATUS is "term". REPORT "none" writes nothing, like a program without libcyc.
#
#   fake_program.sh REPORT|none [STATUS|term]
set -eu
if [ -z "${CYC_REPORT:-}" ]; then
  echo "fake_program: CYC_REPORT is not set" >&2
  exit 99
fi
if [ -e "$CYC_REPORT" ]; then
  echo "fake_program: CYC_REPORT names a file that already exists: $CYC_REPORT" >&2
  exit 98
fi
if [ "$1" != none ]; then
  cat "$1" >> "$CYC_REPORT"
fi
echo "fake_program: ran"
if [ "${2:-0}" = term ]; then
  kill -TERM $$
fi
exit "${2:-0}"
