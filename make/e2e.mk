# e2e.mk: the real kube-apiserver and etcd that internal/testcluster runs.
# Included from the top-level Makefile.
#
#   make e2e-deps     build etcd and kube-apiserver into KUBE_BIN_DIR, or
#                     find them cached there; a cold build takes ~4 minutes
#                     on 2 cores (3m30s with empty module and build
#                     caches), a cached one well under a second
#
# KUBE_BIN_DIR defaults to $SKYC_KUBE_BIN, else the skyc cache outside the
# repository (${SKYC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/skyc}/bin). It is
# exported to every recipe as SKYC_KUBE_BIN, which is where the tests look.

KUBE_BIN_DIR ?= $(or $(SKYC_KUBE_BIN),$(or $(SKYC_CACHE),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/skyc)/bin)
export SKYC_KUBE_BIN := $(KUBE_BIN_DIR)

.PHONY: e2e-deps
e2e-deps:
	hack/build-kube.sh
