#!/usr/bin/env bash
# Checks commit subjects: at most 72 characters, starting with the area they change and a colon
# ("kernels: ...", "trainer: ...", "docs: ..."), so that `git log --oneline` reads as a list.
#   check_commit_subject.sh --file MSG     the message of a commit being made (commit-msg hook)
#   check_commit_subject.sh REV_RANGE      every commit of a range, e.g. main~10..HEAD
# The rule holds from commit f749dc0 on; `make check` checks f749dc0^..HEAD.
set -euo pipefail

max_length=72
area_pattern='^[a-z][a-z0-9_./-]*(, ?[a-z][a-z0-9_./-]*)*: [^ ]'

# Prints what is wrong with one subject, or nothing.
problem_of() {
  local subject=$1
  if ((${#subject} > max_length)); then
    echo "subject has ${#subject} characters (at most ${max_length})"
  elif ! [[ $subject =~ $area_pattern ]]; then
    echo "subject does not start with its area and a colon (e.g. 'kernels: ...')"
  fi
}

if [[ ${1:-} == --file ]]; then
  subject=$(grep -v '^#' "$2" | head -n 1)
  [[ $subject == fixup!* || $subject == squash!* || $subject == Merge* ]] && exit 0
  problem=$(problem_of "$subject")
  [[ -z $problem ]] && exit 0
  echo "commit-msg: $problem:" >&2
  echo "  $subject" >&2
  exit 1
fi

range=${1:?usage: check_commit_subject.sh --file MSG | REV_RANGE}
failed=0
while IFS= read -r line; do
  hash=${line%% *}
  subject=${line#* }
  problem=$(problem_of "$subject")
  if [[ -n $problem ]]; then
    echo "$hash: $problem: $subject" >&2
    failed=1
  fi
done < <(git log --no-merges --format='%h %s' "$range")
((failed == 0)) && echo "commit subjects: every subject of $range follows the rule"
exit $failed
