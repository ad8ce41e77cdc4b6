package plan

import (
	"errors"
	"regexp"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// immutableFields are fields that can't change once an object exists: a
// change to one of them means deleting the object and creating it again.
// The API server is the authority (its "field is immutable" rejection of a
// dry run); this table names the well-known ones for the offline diff and
// for classifying each changed field.
var immutableFields = map[schema.GroupKind][]string{
	{Group: "apps", Kind: "Deployment"}:  {"spec.selector"},
	{Group: "apps", Kind: "ReplicaSet"}:  {"spec.selector"},
	{Group: "apps", Kind: "DaemonSet"}:   {"spec.selector"},
	{Group: "apps", Kind: "StatefulSet"}: {"spec.selector", "spec.volumeClaimTemplates", "spec.serviceName", "spec.podManagementPolicy"},
	{Group: "batch", Kind: "Job"}:        {"spec.selector", "spec.template", "spec.completionMode"},
	{Group: "", Kind: "Service"}:         {"spec.clusterIP", "spec.clusterIPs"},
	{Group: "", Kind: "PersistentVolumeClaim"}: {"spec.accessModes", "spec.selector", "spec.storageClassName",
		"spec.volumeMode", "spec.volumeName", "spec.dataSource", "spec.dataSourceRef"},
	{Group: "", Kind: "Secret"}:                                       {"type"},
	{Group: "rbac.authorization.k8s.io", Kind: "RoleBinding"}:         {"roleRef"},
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}:  {"roleRef"},
	{Group: "storage.k8s.io", Kind: "StorageClass"}:                   {"provisioner", "parameters", "reclaimPolicy", "volumeBindingMode"},
	{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}: {"spec.scope"},
}

// immutableWhenMarked are the contents of ConfigMaps and Secrets that set
// immutable: true.
var immutableWhenMarked = map[schema.GroupKind][]string{
	{Group: "", Kind: "ConfigMap"}: {"data", "binaryData", "immutable"},
	{Group: "", Kind: "Secret"}:    {"data", "stringData", "immutable"},
}

// immutablePaths returns the immutable fields of gk, given the live object
// (nil when there is none).
func immutablePaths(gk schema.GroupKind, live map[string]any) []string {
	out := append([]string(nil), immutableFields[gk]...)
	if live != nil && live["immutable"] == true {
		out = append(out, immutableWhenMarked[gk]...)
	}
	return out
}

// underAny reports whether the dotted field name f is one of prefixes or
// lies below one.
func underAny(f string, prefixes []string) bool {
	for _, p := range prefixes {
		if f == p || strings.HasPrefix(f, p+".") {
			return true
		}
	}
	return false
}

// immutableMessage matches the API server's rejections of a change to a
// field that can't change in place.
var immutableMessage = regexp.MustCompile(`(?i)field is immutable|is immutable|may not change once set|cannot change roleRef|` +
	`updates to [a-z]+ spec for fields other than|spec is immutable|may not be changed`)

// indexRE matches list indices and keys in a server field path.
var indexRE = regexp.MustCompile(`\[[^\]]*\]`)

// immutableRejection reports whether err is the server refusing to change
// immutable fields, and only that, and returns those fields as dotted
// names.
func immutableRejection(err error) ([]string, bool) {
	var status *apierrors.StatusError
	if !errors.As(err, &status) || !apierrors.IsInvalid(err) {
		return nil, false
	}
	d := status.ErrStatus.Details
	if d == nil || len(d.Causes) == 0 {
		return nil, false
	}
	var fields []string
	for _, c := range d.Causes {
		if !immutableMessage.MatchString(c.Message) {
			return nil, false
		}
		f := indexRE.ReplaceAllString(c.Field, "")
		fields = append(fields, f)
	}
	return fields, true
}
