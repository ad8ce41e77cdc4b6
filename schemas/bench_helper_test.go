package schemas

import (
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
)

func schemeForBench() *runtime.Scheme { return scheme.Scheme }
