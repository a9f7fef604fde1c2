#!/usr/bin/env bash
# The man pages answer what the binary and its config parser accept: every command and every flag
# of `enumwatch COMMAND --help` is in enumwatch(1), every key the config parser reads is in
# enumwatch.toml(5), every flag of `enumwatch-py --help` is in enumwatch-py(1); the bash and zsh
# completions know every command and flag, and complete.
source "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
: "${MAN_DIR:?set MAN_DIR to the man/ directory of the build tree}"
for page in enumwatch.1 enumwatch.toml.5 enumwatch-py.1; do
  [[ -s $MAN_DIR/$page ]] || fail "$page was not built (is pandoc installed?)"
done
# What a reader sees: the roff rendered back to plain text.
pandoc -f man -t plain "$MAN_DIR/enumwatch.1" >"$WORK/enumwatch.1.txt"
pandoc -f man -t plain "$MAN_DIR/enumwatch.toml.5" >"$WORK/enumwatch.toml.5.txt"
expect_contains "$(head -5 "$WORK/enumwatch.1.txt")" "NAME"
grep -q "enumwatch - watch PostgreSQL enum types" "$WORK/enumwatch.1.txt" || fail "enumwatch(1) has no NAME line"

commands=(run check snapshot diff config-check register poll install-trigger validate)
missing=()
for command in "${commands[@]}"; do
  grep -q "enumwatch $command" "$WORK/enumwatch.1.txt" || missing+=("command $command")
  flags=$("$ENUMWATCH" "$command" --help | sed -n '/OPTIONS/,$p' | grep -oE -- '--[a-z][a-z-]*' | sort -u)
  [[ -n $flags ]] || fail "no flags parsed from enumwatch $command --help"
  for flag in $flags; do
    [[ $flag == --help ]] && continue
    grep -qF -- "$flag" "$WORK/enumwatch.1.txt" || missing+=("enumwatch(1): $command $flag")
    grep -qF -- "$flag" "$ROOT/completions/enumwatch.bash" || missing+=("bash: $command $flag")
    grep -qE -- "'\*?$flag" "$ROOT/completions/_enumwatch" || missing+=("zsh: $command $flag")
  done
  grep -qE "(^|[ |])$command([ |)]|$)" "$ROOT/completions/enumwatch.bash" || missing+=("bash: command $command")
  grep -qF "'$command:" "$ROOT/completions/_enumwatch" || missing+=("zsh: command $command")
done

# Every key the config parser reads (f.string("key"), top.table("daemon"), ...) is documented.
keys=$(grep -oE '\b[a-z]+\.(string|boolean|duration|strings|integer|table)\("[a-z_]+"' "$ROOT/common/src/config/config.cpp" |
  sed -E 's/.*\("//; s/"$//' | sort -u)
[[ $(wc -w <<<"$keys") -gt 30 ]] || fail "too few config keys parsed from config.cpp: $keys"
for key in $keys target; do
  grep -qE "(^|[^a-z_])$key([^a-z_]|$)" "$WORK/enumwatch.toml.5.txt" || missing+=("enumwatch.toml(5): key $key")
done
for table in daemon defaults alerting "snapshots.NAME" "[target]"; do
  grep -qF "[$table]" "$WORK/enumwatch.toml.5.txt" || missing+=("enumwatch.toml(5): table [$table]")
done
((${#missing[@]} == 0)) || fail "undocumented: ${missing[*]}"
pass "enumwatch(1) documents every command and flag, enumwatch.toml(5) every config key"

# enumwatch-py(1): every long flag argparse knows.
pandoc -f man -t plain "$MAN_DIR/enumwatch-py.1" >"$WORK/enumwatch-py.1.txt"
grep -q "enumwatch-py - write an enumwatch snapshot" "$WORK/enumwatch-py.1.txt" || fail "enumwatch-py(1) has no NAME line"
py_flags=$("$ROOT/tools/enumwatch-py/enumwatch-py" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u)
[[ $(wc -w <<<"$py_flags") -ge 12 ]] || fail "too few flags read from enumwatch-py --help: $py_flags"
missing=()
for flag in $py_flags; do
  [[ $flag == --help ]] && continue
  grep -qF -- "$flag" "$WORK/enumwatch-py.1.txt" || missing+=("$flag")
done
((${#missing[@]} == 0)) || fail "enumwatch-py(1) does not document: ${missing[*]}"
pass "enumwatch-py(1) documents every flag of enumwatch-py --help"

# bash: the completion function completes commands, flags and flag values.
complete_bash() {  # words...: the completions for the last word
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _enumwatch; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$ROOT/completions/enumwatch.bash" "$@"
}
[[ $(complete_bash enumwatch di) == diff ]] || fail "bash: 'enumwatch di' does not complete to diff"
expect_contains "$(complete_bash enumwatch diff --im)" "--impact"
[[ $(complete_bash enumwatch diff --impact "" | tr '\n' ' ') == "estimate exact " ]] || fail "bash: --impact values"
[[ $(complete_bash enumwatch check --format "" | tr '\n' ' ') == "text json " ]] || fail "bash: check --format values"
expect_contains "$(complete_bash enumwatch check --sn)" "--snapshots-only"
# zsh: the completion file parses, and defines the function compdef expects.
zsh -n "$ROOT/completions/_enumwatch" || fail "zsh: _enumwatch does not parse"
head -1 "$ROOT/completions/_enumwatch" | grep -q '^#compdef enumwatch$' || fail "zsh: no #compdef line"
pass "bash completion completes commands, flags and values; zsh completion parses"
