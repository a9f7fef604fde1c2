# bash completion for enumwatch (commands, their flags, and the values of --format and --impact).
# Installed as /usr/share/bash-completion/completions/enumwatch.
_enumwatch() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  local commands="run check snapshot diff config-check register poll install-trigger validate help"
  if ((COMP_CWORD == 1)); then
    mapfile -t COMPREPLY < <(compgen -W "$commands --help --version" -- "$cur")
    return
  fi
  local command=${COMP_WORDS[1]} flags
  case $command in
    run | config-check) flags="--config --help" ;;
    check) flags="--config --target --format --snapshots-only --help" ;;
    snapshot) flags="--dsn --dsn-file --schema --output --revision --format --timeout --help" ;;
    diff) flags="--snapshot --dsn --dsn-file --against --schema --format --timeout --impact --lock-timeout --help" ;;
    register) flags="--url --token-file --timeout --snapshot --file --help" ;;
    poll) flags="--url --token-file --timeout --target --help" ;;
    install-trigger) flags="--dsn --dsn-file --monitoring-role --uninstall --print --timeout --help" ;;
    validate) flags="--snapshot --previous-snapshot --migration --dsn --dsn-file --shadow-dsn --schema-from --format --fail-on --timeout --help" ;;
    help)
      mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
      return
      ;;
    *) return ;;
  esac
  case $prev in
    --config | --output | --snapshot | --against | --file | --token-file | --dsn-file | --migration | --schema-from | --previous-snapshot)
      [[ $command == register && $prev == --snapshot ]] && return  # a snapshot's name
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      return
      ;;
    --format)
      case $command in
        check) mapfile -t COMPREPLY < <(compgen -W "text json" -- "$cur") ;;
        snapshot) mapfile -t COMPREPLY < <(compgen -W "toml json" -- "$cur") ;;
        diff) mapfile -t COMPREPLY < <(compgen -W "text json sql" -- "$cur") ;;
        validate) mapfile -t COMPREPLY < <(compgen -W "text json markdown" -- "$cur") ;;
      esac
      return
      ;;
    --impact)
      mapfile -t COMPREPLY < <(compgen -W "estimate exact" -- "$cur")
      return
      ;;
    --fail-on)
      mapfile -t COMPREPLY < <(compgen -W "info warning critical" -- "$cur")
      return
      ;;
    --dsn | --target | --schema | --revision | --timeout | --lock-timeout | --url | --shadow-dsn) return ;;
  esac
  mapfile -t COMPREPLY < <(compgen -W "$flags" -- "$cur")
}
complete -F _enumwatch enumwatch
