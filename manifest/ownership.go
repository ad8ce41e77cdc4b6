package manifest

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Ownership labels: every rendered object carries them, so that skyc diff
// can list the objects a service or an environment owns in a cluster,
// including the ones it no longer renders (which are then deletions).
const (
	// ServiceLabel holds the name of the service that rendered the object.
	ServiceLabel = "skyc.dev/service"
	// EnvironmentLabel holds the environment the object was rendered for.
	// Objects rendered without environments do not carry it.
	EnvironmentLabel = "skyc.dev/environment"
)

// SetOwnership labels o.Obj with its service and environment (see
// [ServiceLabel]); it fails when either name is not a valid label value.
func SetOwnership(o Object) error {
	acc, err := meta.Accessor(o.Obj)
	if err != nil {
		return err
	}
	if err := CheckOwnership(o.Service, o.Env); err != nil {
		return err
	}
	labels := acc.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[ServiceLabel] = o.Service
	if o.Env != "" {
		labels[EnvironmentLabel] = o.Env
	}
	acc.SetLabels(labels)
	return nil
}

// CheckOwnership returns the error SetOwnership gives for an object of
// service and env, if the names are not valid label values.
func CheckOwnership(service, env string) error {
	for _, v := range []string{service, env} {
		if errs := validation.IsValidLabelValue(v); len(errs) > 0 {
			return fmt.Errorf("%q can't label the objects it owns: %s", v, errs[0])
		}
	}
	return nil
}
