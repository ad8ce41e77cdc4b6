package schemas

import (
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/skyc-dev/skyc/internal/kubescheme"
)

func schemeForBench() *runtime.Scheme { return kubescheme.Scheme() }
