package schemas

import (
	"fmt"
	"sync"

	"github.com/skyc-dev/skyc/schemas/aws"
)

var (
	platformOnce     sync.Once
	platformRegistry *Registry
	platformErr      error
)

// Platform returns the registry of every output type skyc renders: the
// built-in Kubernetes kinds of Default and the AWS types of package
// schemas/aws (CloudFormation templates and resources, IAM policies).
// It is built once per process on first use.
func Platform() (*Registry, error) {
	platformOnce.Do(func() {
		k8s, err := Default()
		if err != nil {
			platformErr = err
			return
		}
		files, err := aws.Files()
		if err != nil {
			platformErr = fmt.Errorf("building the AWS types: %w", err)
			return
		}
		platformRegistry, platformErr = k8s.Extend(files)
	})
	return platformRegistry, platformErr
}
