# bash completion for csleuth                              -*- shell-script -*-

_csleuth_commands="ps images volumes inspect history logs diff export cp timeline collect check partitions mount umount image container volume"
_csleuth_global="--root --sysroot --image --partition --archive --verify --no-warnings --help --version"

_csleuth_options()
{
    case "$1" in
    ps) echo "-a --all -q --quiet -f --filter --format -n --last -l --latest --running --engine --namespace -w --wide --no-trunc --json --provenance --check" ;;
    images) echo "-a --all -q --quiet -f --filter --format --digests --engine --namespace --no-trunc --json --provenance" ;;
    volumes) echo "-q --quiet -f --filter --format --engine --namespace --json --provenance" ;;
    inspect) echo "--type -f --format --provenance" ;;
    history) echo "-H --human -q --quiet --no-trunc --format --json --provenance" ;;
    logs) echo "-t --timestamps --since --until --from --to -n --tail --stream --join --json --provenance --log --file --format" ;;
    diff) echo "--json --no-magic --provenance --against" ;;
    export) echo "-o --output --precise --container-ids --on-disk-ids" ;;
    cp) echo "-L --follow-link -a --archive" ;;
    timeline) echo "--format --logs --layers --hash --no-magic --since --until --from --to --engine --namespace -o --output --mem-limit" ;;
    check) echo "--json" ;;
    collect) echo "-o --output --layers --hash --no-magic" ;;
    partitions) echo "--json" ;;
    mount) echo "-f --foreground --layer --upper --deleted --volumes --container-ids --on-disk-ids --debug" ;;
    esac
}

_csleuth()
{
    local cur prev cmd="" sub="" i
    local -a evidence=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
        --root|--sysroot|--image|--archive|--partition)
            evidence+=("${COMP_WORDS[i]}" "${COMP_WORDS[i+1]}")
            i=$((i + 1)) ;;
        -*) ;;
        *)
            if [ -z "$cmd" ]; then cmd=${COMP_WORDS[i]}
            elif [ -z "$sub" ]; then sub=${COMP_WORDS[i]}; fi ;;
        esac
    done
    case "$prev" in
    --root|--sysroot|-o|--output|--file)
        COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --image|--archive)
        COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --partition) return ;;
    --format)
        case "$cmd" in
        timeline) COMPREPLY=($(compgen -W "timesketch jsonl bodyfile csv" -- "$cur")) ;;
        logs) COMPREPLY=($(compgen -W "json-file local cri k8s-file journald text lxc" -- "$cur")) ;;
        esac
        return ;;
    --type) COMPREPLY=($(compgen -W "container image" -- "$cur")); return ;;
    --stream) COMPREPLY=($(compgen -W "stdout stderr" -- "$cur")); return ;;
    esac
    case "$cmd" in
    "") COMPREPLY=($(compgen -W "$_csleuth_commands $_csleuth_global" -- "$cur")); return ;;
    image) [ -z "$sub" ] && { COMPREPLY=($(compgen -W "ls inspect history" -- "$cur")); return; } ;;
    container) [ -z "$sub" ] && { COMPREPLY=($(compgen -W "ls inspect logs diff export cp" -- "$cur")); return; } ;;
    volume) [ -z "$sub" ] && { COMPREPLY=($(compgen -W "ls" -- "$cur")); return; } ;;
    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$(_csleuth_options "$cmd") $_csleuth_global" -- "$cur"))
        return
    fi
    # names, read from the evidence named on the command line (never this
    # machine's own data root)
    if [ ${#evidence[@]} -gt 0 ]; then
        local names
        case "$cmd" in
        logs|diff|export|cp|mount|timeline|inspect|container)
            names=$(csleuth "${evidence[@]}" --no-warnings ps --format '{{.Names}}' 2>/dev/null) ;;
        history|image)
            names=$(csleuth "${evidence[@]}" --no-warnings images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep -v '<none>') ;;
        esac
        COMPREPLY=($(compgen -W "$names" -- "$cur"))
    fi
    [ ${#COMPREPLY[@]} -eq 0 ] && COMPREPLY=($(compgen -f -- "$cur"))
}
complete -F _csleuth csleuth
