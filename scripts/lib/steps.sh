# Sourced by the scripts that install or build something slow: `long_step` says what a step does
# and how long it takes on a 2-core machine before it starts, and how long it took when it ends,
# so a first run never leaves a silent terminal.
#   long_step "installing trunk 0.21.14" "about 10 minutes, once per machine" cargo install ...
long_step() {
  local what=$1 expect=$2 start rc=0
  shift 2
  printf '%s: %s (%s)...\n' "$(basename "$0")" "$what" "$expect" >&2
  start=$SECONDS
  "$@" || rc=$?
  if [ "$rc" = 0 ]; then
    printf '%s: %s: done in %s\n' "$(basename "$0")" "$what" "$(elapsed_since "$start")" >&2
  else
    printf '%s: %s FAILED (exit %s) after %s\n' "$(basename "$0")" "$what" "$rc" "$(elapsed_since "$start")" >&2
  fi
  return "$rc"
}

elapsed_since() {
  local s=$((SECONDS - $1))
  if [ "$s" -ge 60 ]; then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi
}
