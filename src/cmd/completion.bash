
# ---------------------------------------------------------------------------------------
# The engine (src/cmd/completion.bash). Tables above, generated; code below, as written.
#
# A command line is read as the command reads it: our options exactly, the proxied tool's
# as its parser reads them (getopt_long_only: -long, unique prefixes, -xVALUE clusters;
# argparse: --prefixes, nargs='?'; clap for rejviz-peek). The values of our options are
# completed here; everything else goes to the tool's own completion, loaded by
# bash-completion and called with a command line that starts with the tool and holds none
# of our options. Candidates are returned as bash inserts them: bash replaces only the text
# after the last COMP_WORDBREAKS character ('=', ':', '@') of the word.

# The characters among '=', ':' and '@' that split words (COMP_WORDBREAKS).
_rejviz_breaks()
{
    local c
    _rejviz_brk=
    for c in = : @; do
        [[ $COMP_WORDBREAKS == *"$c"* ]] && _rejviz_brk+=$c
    done
}

# Reads the long option BODY (without its dashes, maybe NAME=VALUE) as the parser does,
# with NEXT the argument after it. Sets t_name (the option's first name; empty when unknown
# or ambiguous), t_count (how many names it may stand for), t_takes, t_next (NEXT is its
# value), t_has and t_val (a value after '=').
_rejviz_long()
{
    local body=$1 next=$2 name e n a hit= exact= count=0 anyval=0
    name=${body%%=*}
    [[ $body == *=* ]] && t_has=1 t_val=${body#*=}
    [[ $name ]] || return 0
    for e in $longs; do
        n=${e%%:*}
        if [[ $n == "$name" ]]; then
            exact=$e
            break
        fi
        if [[ $syntax != clap && $n == "$name"* ]]; then
            hit=$e
            ((count++))
            a=${e#*:}
            a=${a%%:*}
            [[ $a == v || ($a == o && $syntax == argparse && $next != -*) ]] && anyval=1
        fi
    done
    [[ $exact ]] && count=1 hit=$exact
    t_count=$count
    if ((count != 1)); then
        # Unknown, or ambiguous (the tool refuses it; its value is not ours either).
        ((count > 1 && anyval && !t_has)) && t_next=1
        return 0
    fi
    n=${hit%%:*}
    a=${hit#*:}
    t_name=$n
    [[ $a == *:* ]] && t_name=${a#*:}
    case ${a%%:*} in
        v)
            t_takes=1
            ((t_has)) || t_next=1
            ;;
        o)
            t_takes=1
            [[ $syntax == argparse && ! $t_has && $next != -* ]] && t_next=1
            ;;
    esac
    return 0
}

# Reads the cluster of short options BODY (without its dash): the first that takes a value
# ends it, with its value attached or next.
_rejviz_shorts()
{
    local body=$1 next=$2 i c e a
    for ((i = 0; i < ${#body}; i++)); do
        c=${body:i:1}
        for e in $shorts; do
            [[ ${e%%:*} == "$c" ]] && break
            e=
        done
        [[ $e ]] || continue
        a=${e#*:}
        t_name=${a#*:}
        a=${a%%:*}
        [[ $a == f ]] && continue
        t_takes=1
        if ((i + 1 < ${#body})); then
            t_has=1 t_val=${body:i+1}
        elif [[ $a == v || ($a == o && $syntax == argparse && $next != -*) ]]; then
            t_next=1
        fi
        return 0
    done
    t_name=
}

# Reads WORD (with NEXT after it) as the command does. Sets t_ours (one of our options),
# t_name, t_takes, t_next, t_has, t_val.
_rejviz_read()
{
    local w=$1 next=$2 body= e
    t_ours= t_name= t_count=0 t_takes=0 t_next=0 t_has=0 t_val=
    [[ $w == -?* && $w != -- ]] || return 0
    if [[ $w == --?* ]]; then
        body=${w#--}
    elif [[ $syntax == getopt && ${#w} -gt 2 ]]; then
        body=${w#-}
    fi
    if [[ $body ]]; then
        for e in $ours; do
            [[ ${e%=} == "${body%%=*}" ]] || continue
            t_ours=1 t_name=${e%=}
            [[ $e == *= ]] && t_takes=1
            [[ $body == *=* ]] && t_has=1 t_val=${body#*=}
            ((t_takes && !t_has)) && t_next=1
            return 0
        done
    fi
    if [[ $w == --?* ]]; then
        _rejviz_long "${w#--}" "$next"
        return 0
    fi
    body=${w#-}
    # getopt_long_only: -x is the short option x, else -long (any unique prefix), else a
    # cluster when it starts with a short option.
    if [[ $syntax == getopt ]] && ! { ((${#body} == 1)) && _rejviz_is_short "$body"; }; then
        _rejviz_long "$body" "$next"
        ((t_count == 0)) && _rejviz_is_short "${body:0:1}" || return 0
        t_has=0 t_val=
    fi
    _rejviz_shorts "$body" "$next"
}

_rejviz_is_short()
{
    local e
    for e in $shorts; do
        [[ ${e%%:*} == "$1" ]] && return 0
    done
    return 1
}

# Candidates: every WORD of $3 that starts with $1, after the prefix $2.
_rejviz_words()
{
    local w
    for w in $3; do
        [[ $w == "$1"* ]] && cands+=("$2$w")
    done
    return 0
}

_rejviz_files()
{
    local f
    compopt -o filenames 2>/dev/null
    while IFS= read -r f; do
        cands+=("$2$f")
    done < <(compgen -f -- "$1")
    return 0
}

# virsh on the command line's connection (or libvirt's default), read-only.
_rejviz_virsh()
{
    local -a c=()
    [[ $uri ]] && c=(-c "$uri")
    virsh -q -r "${c[@]}" "$@" 2>/dev/null
}

_rejviz_domains()
{
    local n
    while IFS= read -r n; do
        [[ $n && $n == "$1"* ]] && cands+=("$2$n")
    done < <(_rejviz_virsh list --all --name)
    return 0
}

# NAME=TARGET[,NAME=TARGET]...: after '=', the connection's networks and $3 (bridge:) with
# this host's bridges.
_rejviz_mappings()
{
    local head= item=$1 n pre d
    if [[ $1 == *,* ]]; then
        head=${1%,*},
        item=${1##*,}
    fi
    compopt -o nospace 2>/dev/null
    [[ $item == *=* ]] || return 0
    pre=$2$head${item%%=*}=
    item=${item#*=}
    if [[ $item == "$3"* ]]; then
        for d in /sys/class/net/*/bridge; do
            [[ -d $d ]] || continue
            d=${d%/bridge}
            n=$3${d##*/}
            [[ $n == "$item"* ]] && cands+=("$pre$n")
        done
        return 0
    fi
    while IFS= read -r n; do
        [[ $n && $n == "$item"* ]] && cands+=("$pre$n")
    done < <(_rejviz_virsh net-list --all --name)
    [[ $3 == "$item"* ]] && cands+=("$pre$3")
    return 0
}

# KEY=VALUE[,KEY=VALUE]... of option $1: $2 the value so far, $3 the prefix before it, $4
# a key offered alone until it is given (or empty), $5 the keys. After KEY=, its values.
_rejviz_keys()
{
    local head= item=$2 k given
    if [[ $2 == *,* ]]; then
        head=${2%,*},
        item=${2##*,}
    fi
    compopt -o nospace 2>/dev/null
    if [[ $item == *=* ]]; then
        k=${item%%=*}
        _rejviz_keyvalue "$1:$k" "${item#*=}" "$3$head$k="
        return 0
    fi
    given=,$head
    if [[ $4 && $given != *",$4="* ]]; then
        [[ "$4=" == "$item"* ]] && cands+=("$3$head$4=")
        return 0
    fi
    for k in $5; do
        [[ $given == *",$k="* || "$k=" != "$item"* ]] || cands+=("$3$head$k=")
    done
    return 0
}

# The proxied tool's own completion for the command line without our options: words 0 to
# the end, the current one cut at the cursor, split again at COMP_WORDBREAKS as bash
# splits them. Sets theirs.
_rejviz_delegate()
{
    local spec func= w p= piece i ccw=0 point=0 line=$tool re
    local -a parts opts=() cw=("$tool") pieces
    spec=$(complete -p "$tool" 2>/dev/null) || {
        if declare -F __load_completion >/dev/null; then
            __load_completion "$tool"
        elif declare -F _comp_load >/dev/null; then
            _comp_load -- "$tool"
        fi
        spec=$(complete -p "$tool" 2>/dev/null)
    } || {
        # No completion for the tool: file names, as bash-completion's fallback gives.
        compopt -o default 2>/dev/null
        return 0
    }
    read -ra parts <<<"$spec"
    for w in "${parts[@]}"; do
        case $p in
            -F) func=$w ;;
            -o) opts+=("$w") ;;
        esac
        p=$w
    done
    [[ $func ]] && declare -F "$func" >/dev/null || return 0
    for w in "${opts[@]}"; do
        compopt -o "$w" 2>/dev/null
    done
    re="^([^$_rejviz_brk]*)([$_rejviz_brk]+)(.*)$"
    for ((i = 1; i < ${#words[@]}; i++)); do
        [[ ${mine[i]-} && i -ne cword ]] && continue
        w=${words[i]}
        ((i == cword)) && w=$cur
        pieces=()
        if [[ $_rejviz_brk && $w != *[\"\'\\]* ]]; then
            while [[ $w =~ $re ]]; do
                [[ ${BASH_REMATCH[1]} ]] && pieces+=("${BASH_REMATCH[1]}")
                pieces+=("${BASH_REMATCH[2]}")
                w=${BASH_REMATCH[3]}
            done
            [[ $w || ${#pieces[@]} -eq 0 ]] && pieces+=("$w")
        else
            pieces=("$w")
        fi
        line+=" "
        for piece in "${pieces[@]}"; do
            cw+=("$piece")
            line+=$piece
        done
        if ((i == cword)); then
            ccw=$((${#cw[@]} - 1))
            point=${#line}
        fi
    done
    w=${cw[ccw]}
    [[ $_rejviz_brk && $w =~ ^[$_rejviz_brk]+$ ]] && w=
    COMPREPLY=()
    local -a COMP_WORDS=("${cw[@]}")
    local COMP_CWORD=$ccw COMP_LINE=$line COMP_POINT=$point
    "$func" "$tool" "$w" "${cw[ccw - 1]}"
    theirs=("${COMPREPLY[@]}")
}

# The completion function of the four commands; $1 is the command.
_rejviz()
{
    # shellcheck disable=SC2034 # prev: _init_completion sets it; local, not to leak
    local cur prev words cword
    declare -F _init_completion >/dev/null || return 0
    # Whole shell words here: '=', ':' and '@' split none of ours (bash splits them).
    _init_completion -n =:@ || return 0

    local cmd=${1##*/} tool= syntax= ours= longs= shorts= uri= role= ropt= rval= rpre=
    local t_ours t_name t_count t_takes t_next t_has t_val _rejviz_brk i w c
    local -a mine=() cands=() theirs=()
    _rejviz_spec "$cmd" || return 0
    _rejviz_breaks

    for ((i = 1; i < ${#words[@]}; i++)); do
        w=${words[i]}
        if ((i == cword)); then
            _rejviz_read "$cur" ""
            if ((t_takes && t_has)); then
                role=inline ropt=$t_name rval=$t_val rpre=${cur:0:${#cur}-${#t_val}}
            fi
            continue
        fi
        if [[ $w == -- ]]; then
            ((i < cword)) && role=operand
            break
        fi
        _rejviz_read "$w" "${words[i + 1]-}"
        [[ $t_ours ]] && mine[i]=1
        if [[ $t_name == connect ]]; then
            if ((t_has)); then
                uri=$t_val
            elif ((t_next)); then
                uri=${words[i + 1]-}
            fi
        fi
        if ((t_next)); then
            ((i + 1 == cword)) && role=value ropt=$t_name rval=$cur rpre=
            [[ $t_ours ]] && mine[i+1]=1
            ((i++))
        fi
    done
    uri=${uri//[\"\']/}

    COMPREPLY=()
    if [[ $role == value || $role == inline ]] && _rejviz_value "$cmd:$ropt" "$rval" "$rpre"; then
        :
    else
        if [[ $role != operand && $cur == -* ]]; then
            for w in $ours; do
                [[ --${w%=} == "$cur"* ]] && cands+=("--${w%=}")
            done
            if [[ $syntax == clap ]]; then
                for w in $shorts; do
                    [[ -${w%%:*} == "$cur"* ]] && cands+=("-${w%%:*}")
                done
            fi
        fi
        [[ $tool ]] && _rejviz_delegate
    fi

    # Ours as bash inserts them: the text after the last break character is replaced.
    local pre=
    [[ $_rejviz_brk && $cur == *[$_rejviz_brk]* ]] && pre=${cur%"${cur##*[$_rejviz_brk]}"}
    local -A seen=()
    COMPREPLY=()
    for c in "${theirs[@]}"; do
        [[ ${seen["x$c"]-} ]] && continue
        seen["x$c"]=1
        COMPREPLY+=("$c")
    done
    for c in "${cands[@]}"; do
        c=${c#"$pre"}
        [[ ${seen["x$c"]-} ]] && continue
        seen["x$c"]=1
        COMPREPLY+=("$c")
    done
    return 0
}
