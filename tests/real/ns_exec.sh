# Runs a command in the private mount namespace real_in_ns (tests/real/lib.sh)
# made for it: run as
#   unshare -m --propagation private -- bash ns_exec.sh SOCKET [OPTIONS] [--] CMD...
# /dev becomes a tmpfs holding the usual nodes (bound from the real /dev) and,
# when SOCKET exists, /dev/log bound to that socket, so whatever the
# program sends to /dev/log reaches the test's receiver and nothing reaches
# the machine's own logging. Options, applied in this order:
#   --bind SRC DST   bind-mount SRC over DST (both must exist)
#   --tmpfs DIR      mount a tmpfs on DIR (must exist)
#   --mkdir DIR      make DIR (after the mounts: put it under a --tmpfs)
# Then execs CMD (same pid). Nothing here is seen outside the namespace.
set -eu
sock=$1
shift
binds=() tmpfss=() mkdirs=()
while [ $# -gt 0 ]; do
    case "$1" in
        --bind) binds+=("$2" "$3"); shift 3 ;;
        --tmpfs) tmpfss+=("$2"); shift 2 ;;
        --mkdir) mkdirs+=("$2"); shift 2 ;;
        --) shift; break ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || { echo "ns_exec.sh: no command" >&2; exit 2; }

# Paranoia: propagation must be private, or the mounts below would show on
# the machine.
if [ "$(awk '$5 == "/" { print $7 }' /proc/self/mountinfo | grep -c shared)" != 0 ]; then
    echo "ns_exec.sh: / is still a shared mount; refusing" >&2
    exit 1
fi

# a mount point for the real /dev, beside the socket (in the test's tmp dir)
old=$(dirname "$sock")/ns-olddev.$$
mkdir "$old"
mount --rbind /dev "$old"
mount -t tmpfs -o mode=755,nosuid,size=1m ehshim-dev /dev
for n in null zero full random urandom tty ptmx console; do
    if [ -L "$old/$n" ]; then
        ln -s "$(readlink "$old/$n")" "/dev/$n"
    elif [ -e "$old/$n" ] && [ ! -d "$old/$n" ]; then
        : >"/dev/$n"
        mount --bind "$old/$n" "/dev/$n"
    fi
done
for d in pts shm mqueue; do
    if [ -d "$old/$d" ]; then
        mkdir "/dev/$d"
        mount --rbind "$old/$d" "/dev/$d"
    fi
done
[ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
if [ -S "$sock" ]; then
    : >/dev/log
    mount --bind "$sock" /dev/log
fi
umount -l "$old"
rmdir "$old"

i=0
while [ $i -lt ${#binds[@]} ]; do
    mount --bind "${binds[$i]}" "${binds[$((i + 1))]}"
    i=$((i + 2))
done
for d in "${tmpfss[@]}"; do
    mount -t tmpfs -o mode=755 ehshim-tmp "$d"
done
for d in "${mkdirs[@]}"; do
    mkdir -p "$d"
done
exec "$@"
