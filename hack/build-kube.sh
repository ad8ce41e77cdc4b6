#!/usr/bin/env bash
# build-kube.sh builds the real kube-apiserver and etcd that skyc's tests run
# (internal/testcluster) from the Go module proxy, using the wrapper modules in
# hack/kube-apiserver and hack/etcd, into a cache outside the repository:
#
#   ${SKYC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/skyc}/bin/
#
# or into $SKYC_KUBE_BIN when that is set (the directory the tests read).
#
# It is idempotent: a binary is rebuilt only when what determines it changed
# (the wrapper's go.mod, go.sum and main.go, the Go toolchain, the build
# flags). Progress goes to stderr; the only line on stdout is the bin
# directory, so
#
#   export SKYC_KUBE_BIN="$(hack/build-kube.sh)"
#
# works. A cold build takes ~4 minutes on 2 cores (3m30s measured with empty
# module and build caches), mostly kube-apiserver; the output is bit-for-bit
# reproducible.
set -euo pipefail

# Everything runs from main, parsed in full before it starts, so editing this
# file during a long build cannot change what the running build does.
main() {
	here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
	cache="${SKYC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/skyc}"
	bin="${SKYC_KUBE_BIN:-$cache/bin}"
	mkdir -p "$bin"

	command -v go >/dev/null || die "go not found in PATH"
	command -v sha256sum >/dev/null || die "sha256sum not found in PATH"

	# One build at a time per bin directory: a second caller waits, then
	# finds the binaries fresh and skips.
	exec 9>"$bin/.lock"
	if command -v flock >/dev/null && ! flock -n 9; then
		log "another build holds $bin/.lock; waiting"
		flock 9
	fi

	# Hermetic module builds: the committed go.sum is authoritative, no
	# workspace of the enclosing checkout leaks in, and static binaries need
	# no C toolchain.
	export GOWORK=off CGO_ENABLED=0
	export GOFLAGS="-mod=readonly -buildvcs=false -trimpath"
	goversion="$(go env GOVERSION)"

	# etcd reports its own version from its packages; kube-apiserver needs
	# the version stamped in, as upstream's release build does, or it says
	# v0.0.0-master.
	build etcd "-s -w"

	local kver kmajor kminor pkg=k8s.io/component-base/version
	kver="$(cd "$here/kube-apiserver" && go list -m -f '{{.Version}}' k8s.io/kubernetes)"
	kmajor="${kver#v}"
	kmajor="${kmajor%%.*}"
	kminor="${kver#v*.}"
	kminor="${kminor%%.*}"
	build kube-apiserver "-s -w -X $pkg.gitVersion=$kver -X $pkg.gitMajor=$kmajor -X $pkg.gitMinor=$kminor -X $pkg.gitTreeState=clean"

	printf '%s\n' "$bin"
}

log() { printf 'build-kube: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

# key NAME LDFLAGS prints the cache key of a wrapper: a hash of everything
# that determines its binary.
key() {
	{
		printf '%s\n' "$goversion" "$GOFLAGS" "$CGO_ENABLED" "$2"
		cat "$here/$1/go.mod" "$here/$1/go.sum" "$here/$1/main.go"
	} | sha256sum | cut -c1-16
}

# build NAME LDFLAGS builds hack/NAME into $bin/NAME unless the binary there
# was built with the current key. The binary is replaced atomically.
build() {
	local name="$1" ldflags="$2" k stamp start
	k="$(key "$name" "$ldflags")"
	stamp="$bin/.$name.key"
	if [[ -x "$bin/$name" && -f "$stamp" && "$(cat "$stamp")" == "$k" ]]; then
		log "$name is up to date ($k)"
		return
	fi
	log "building $name ($k) with $goversion into $bin; this can take minutes"
	start=$SECONDS
	partial="$bin/.$name.tmp.$$"
	trap 'rm -f "$partial"' EXIT
	(cd "$here/$name" && go build -ldflags "$ldflags" -o "$partial" .)
	mv -f "$partial" "$bin/$name"
	printf '%s\n' "$k" >"$stamp"
	trap - EXIT
	log "built $bin/$name in $((SECONDS - start))s"
}

main "$@"
exit
