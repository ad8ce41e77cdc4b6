package check

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// hint is advice for field errors whose field path ends with suffix (any
// field when empty), of type typ (any when empty) and whose detail
// contains detail (any when empty).
type hint struct {
	typ    field.ErrorType
	suffix string
	detail string
	text   string
}

// hints are tried in order; the first match gives the finding's hint. The
// server's messages already say what was wrong and, for unsupported values,
// what is supported; a hint says what to change.
var hints = []hint{
	{field.ErrorTypeInvalid, "metadata.labels", "`selector` does not match template `labels`",
		"every label of spec.selector must be set, with the same value, in spec.template.metadata.labels"},
	{field.ErrorTypeInvalid, "", "selector does not match template labels",
		"every label of spec.selector must be set, with the same value, in spec.template.metadata.labels"},
	{field.ErrorTypeForbidden, "", "may not specify more than 1 handler type",
		"give the probe or handler exactly one of exec, httpGet, tcpSocket or grpc"},
	{field.ErrorTypeRequired, "", "must specify a handler type",
		"give the probe or handler exactly one of exec, httpGet, tcpSocket or grpc"},
	{field.ErrorTypeNotFound, ".name", "", "declare the volume in the pod's spec.volumes, or fix the name to one that is declared"},
	{field.ErrorTypeInvalid, "", "must be less than or equal to",
		"a container's request may not exceed its limit: raise the limit or lower the request"},
	{field.ErrorTypeInvalid, "", "quantities must match the regular expression",
		`write a quantity such as "500m", "2", "512Mi" or "1Gi"`},
	{field.ErrorTypeInvalid, "", "must be between 1 and 65535",
		"ports are numbers from 1 to 65535"},
	{field.ErrorTypeInvalid, "", "RFC 1123", "use lower-case letters, digits and '-', starting and ending with a letter or digit"},
	{field.ErrorTypeInvalid, "", "RFC 1035", "use lower-case letters, digits and '-', starting with a letter and ending with a letter or digit"},
	{field.ErrorTypeInvalid, "metadata.labels", "must be no more than 63",
		"label values are at most 63 characters; put longer text in an annotation"},
	{field.ErrorTypeInvalid, "metadata.name", "must be no more than",
		"shorten the name"},
	{field.ErrorTypeTooLong, "", "", "shorten the value"},
	{field.ErrorTypeInvalid, "schedule", "", `write a cron schedule of five fields, e.g. "0 3 * * *", or a macro such as "@daily"`},
	{field.ErrorTypeInvalid, "spec", "minAvailable and maxUnavailable cannot be both set",
		"set either minAvailable or maxUnavailable, not both"},
	{field.ErrorTypeInvalid, "", "minAvailable and maxUnavailable cannot be both set",
		"set either minAvailable or maxUnavailable, not both"},
	{field.ErrorTypeDuplicate, "", "", "each entry of this list needs its own unique value"},
}

func hintFor(e *field.Error) string {
	for _, h := range hints {
		if h.typ != "" && h.typ != e.Type {
			continue
		}
		if h.suffix != "" && !strings.HasSuffix(e.Field, h.suffix) {
			continue
		}
		if h.detail != "" && !strings.Contains(e.Detail, h.detail) {
			continue
		}
		return h.text
	}
	return ""
}
