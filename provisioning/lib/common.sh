# Shared by the provisioning scripts (sourced): idempotent file operations on a target root.
# The caller sets `root` (the tree worked on, / for this machine) and `PROG` (message prefix).
# shellcheck shell=bash disable=SC2154  # root and PROG are the caller's

die() {
    echo "$PROG: error: $*" >&2
    exit 1
}

say() {
    echo "$PROG: $*"
}

# The path of an absolute target path inside the root we work on.
t() {
    printf '%s%s' "${root%/}" "$1"
}

live() {
    [[ $root == / ]]
}

uid_of() {
    awk -F: -v u="$1" '$1 == u { print $3 }' "$(t /etc/passwd)"
}

gid_of() {
    awk -F: -v g="$1" '$1 == g { print $3 }' "$(t /etc/group)"
}

# Owner and mode, changed only when they differ. Names are looked up in the target's
# /etc/passwd and /etc/group, not the host's: an image's kiosk uid is not the host's.
set_attrs() {
    local path=$1 mode=$2 owner=$3 group=$4 uid gid
    uid=$(uid_of "$owner")
    gid=$(gid_of "$group")
    [[ -n $uid && -n $gid ]] || die "unknown user or group $owner:$group in $(t /etc/passwd)"
    if [[ $(stat -c '%u:%g' "$path") != "$uid:$gid" ]]; then
        chown -h "$uid:$gid" "$path"
    fi
    if [[ ! -L $path && $(stat -c '%a' "$path") != "${mode#0}" ]]; then
        chmod "$mode" "$path"
    fi
}

ensure_dir() {
    local dest=$1 mode=$2 owner=${3:-root} group=${4:-root} path
    path=$(t "$dest")
    [[ -d $path ]] || mkdir -p "$path"
    set_attrs "$path" "$mode" "$owner" "$group"
}

# Write stdin to the target path DEST when its content differs (atomically: a power cut
# leaves the old file or the new one), then set mode and owner.
put() {
    local dest=$1 mode=$2 owner=${3:-root} group=${4:-root} path tmp
    path=$(t "$dest")
    tmp=$(mktemp)
    cat >"$tmp"
    if [[ -f $path ]] && cmp -s "$tmp" "$path"; then
        rm -f "$tmp"
    else
        mkdir -p "$(dirname "$path")"
        cp "$tmp" "$path.new"
        rm -f "$tmp"
        chmod "$mode" "$path.new"
        mv -f "$path.new" "$path"
        say "wrote $dest"
    fi
    set_attrs "$path" "$mode" "$owner" "$group"
}

# Replace (or add) the line of FILE matching the extended regex RE by LINE.
set_line() {
    local dest=$1 re=$2 line=$3 path
    path=$(t "$dest")
    if [[ ! -f $path ]]; then
        mkdir -p "$(dirname "$path")"
        : >"$path"
    fi
    if grep -qxF -- "$line" "$path"; then
        return 0
    fi
    { grep -vE -- "$re" "$path" || true; printf '%s\n' "$line"; } |
        put "$dest" "$(stat -c '%a' "$path")" root root
}

# useradd & co. act on the target's /etc files with --prefix (no chroot, no binaries needed
# inside the target).
shadow_tool() {
    local tool=$1
    shift
    if live; then
        "$tool" "$@"
    else
        "$tool" --prefix "$root" "$@"
    fi
}

ensure_group() {
    local name=$1
    if [[ -z $(gid_of "$name") ]]; then
        shadow_tool groupadd --system "$name"
        say "created group $name"
    fi
}

# A system user NAME with its own group, home HOME (not created), no login shell.
ensure_system_user() {
    local name=$1 home=$2 comment=$3
    if [[ -z $(uid_of "$name") ]]; then
        shadow_tool useradd --system --user-group --home-dir "$home" --no-create-home \
            --shell /usr/sbin/nologin --comment "$comment" "$name"
        say "created user $name"
    fi
}

# Add USER to GROUP unless already a member; returns 1 when it had to add.
ensure_member() {
    local user=$1 group=$2
    in_group "$group" "$user" && return 0
    shadow_tool usermod --append --groups "$group" "$user"
    return 1
}

in_group() {
    awk -F: -v g="$1" -v u="$2" '$1 == g { n = split($4, m, ","); for (i = 1; i <= n; i++)
        if (m[i] == u) found = 1 } END { exit !found }' "$(t /etc/group)"
}
