// Command etcd is the upstream etcd server, linked from the Go module proxy
// as the storage backend of skyc's test API server (internal/testcluster).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
