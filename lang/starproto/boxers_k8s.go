package starproto

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"go.starlark.net/starlark"
	"google.golang.org/protobuf/reflect/protoreflect"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/skyc-dev/skyc/schemas/slotpb"
)

// Full names of the Kubernetes types KubernetesBoxers boxes.
const (
	QuantityName    protoreflect.FullName = "k8s.io.apimachinery.pkg.api.resource.Quantity"
	IntOrStringName protoreflect.FullName = "k8s.io.apimachinery.pkg.util.intstr.IntOrString"
	TimeName        protoreflect.FullName = "k8s.io.apimachinery.pkg.apis.meta.v1.Time"
	MicroTimeName   protoreflect.FullName = "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime"
	DurationName    protoreflect.FullName = "k8s.io.apimachinery.pkg.apis.meta.v1.Duration"
)

// KubernetesBoxers returns boxers for the Kubernetes types that are
// written as plain values in YAML, so .sky files can write them the same
// way:
//
//	Quantity     "500m", "1Gi" (checked by resource.ParseQuantity), 2, 0.5
//	IntOrString  8080 (type 0, intVal) or "http" (type 1, strVal)
//	Time         "2024-05-01T12:00:00Z" (RFC 3339)
//	MicroTime    "2024-05-01T12:00:00.123456Z" (RFC 3339)
//	Duration     "90s", "5m" (Go duration syntax)
//
// The messages read back as themselves; their str() is the plain value.
// Quantities are stored in canonical form ("1.5Gi" becomes "1536Mi"), the
// form the rendered manifest shows.
func KubernetesBoxers() map[protoreflect.FullName]Boxer {
	return map[protoreflect.FullName]Boxer{
		QuantityName:    {Box: boxQuantity, Unbox: unboxQuantity},
		IntOrStringName: {Box: boxIntOrString, Unbox: unboxIntOrString},
		TimeName:        {Box: boxTime, Unbox: unboxTime},
		MicroTimeName:   {Box: boxTime, Unbox: unboxTime},
		DurationName:    {Box: boxDuration, Unbox: unboxDuration},
	}
}

// fieldOf returns the field of m called name, or an error if the type
// does not have the expected shape.
func fieldOf(m protoreflect.Message, name protoreflect.Name, kind protoreflect.Kind) (protoreflect.FieldDescriptor, error) {
	fd := m.Descriptor().Fields().ByName(name)
	if fd == nil || fd.Kind() != kind || fd.Cardinality() == protoreflect.Repeated {
		return nil, fmt.Errorf("message %s has no %s field %q to box into", m.Descriptor().FullName(), kind, name)
	}
	return fd, nil
}

// set sets the named fields of m, checking each exists with the kind of
// its value.
func set(m protoreflect.Message, fields ...any) error {
	for i := 0; i < len(fields); i += 2 {
		name := protoreflect.Name(fields[i].(string))
		var (
			v    protoreflect.Value
			kind protoreflect.Kind
		)
		switch x := fields[i+1].(type) {
		case string:
			v, kind = protoreflect.ValueOfString(x), protoreflect.StringKind
		case int32:
			v, kind = protoreflect.ValueOfInt32(x), protoreflect.Int32Kind
		case int64:
			v, kind = protoreflect.ValueOfInt64(x), protoreflect.Int64Kind
		}
		fd, err := fieldOf(m, name, kind)
		if err != nil {
			return err
		}
		slotpb.Store(m, fd, v)
	}
	return nil
}

func get(m protoreflect.Message, name protoreflect.Name, kind protoreflect.Kind) (protoreflect.Value, error) {
	fd, err := fieldOf(m, name, kind)
	if err != nil {
		return protoreflect.Value{}, err
	}
	return m.Get(fd), nil
}

const quantityHint = `(examples: "500m", "1Gi", "2")`

func boxQuantity(v starlark.Value, dst protoreflect.Message) error {
	var (
		q   resource.Quantity
		err error
	)
	switch v := v.(type) {
	case starlark.String:
		if q, err = resource.ParseQuantity(string(v)); err != nil {
			if errors.Is(err, resource.ErrFormatWrong) {
				// Its text is a regular expression: the examples say more.
				return fmt.Errorf("%q is not a quantity %s", string(v), quantityHint)
			}
			return fmt.Errorf("%q is not a quantity: %v %s", string(v), err, quantityHint)
		}
	case starlark.Int:
		n, ok := v.Int64()
		if !ok {
			return fmt.Errorf("%s is out of range for a quantity", v)
		}
		q = *resource.NewQuantity(n, resource.DecimalSI)
	case starlark.Float:
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%s is not a quantity %s", v, quantityHint)
		}
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if q, err = resource.ParseQuantity(s); err != nil {
			return fmt.Errorf("%s is not a quantity: %v %s", v, err, quantityHint)
		}
	default:
		return fmt.Errorf("got %s, want Quantity: a string such as \"500m\" or \"1Gi\", or a number", describe(v))
	}
	return set(dst, "string", q.String())
}

func unboxQuantity(m protoreflect.Message) (starlark.Value, error) {
	s, err := get(m, "string", protoreflect.StringKind)
	if err != nil {
		return nil, err
	}
	return starlark.String(s.String()), nil
}

func boxIntOrString(v starlark.Value, dst protoreflect.Message) error {
	switch v := v.(type) {
	case starlark.Int:
		n, ok := v.Int64()
		if !ok || n < math.MinInt32 || n > math.MaxInt32 {
			return fmt.Errorf("%s is out of range for IntOrString (int32)", v)
		}
		return set(dst, "type", int64(0), "intVal", int32(n), "strVal", "")
	case starlark.String:
		return set(dst, "type", int64(1), "intVal", int32(0), "strVal", string(v))
	}
	return fmt.Errorf("got %s, want IntOrString: an int such as 8080 or a string such as \"http\" or \"25%%\"", describe(v))
}

func unboxIntOrString(m protoreflect.Message) (starlark.Value, error) {
	t, err := get(m, "type", protoreflect.Int64Kind)
	if err != nil {
		return nil, err
	}
	switch t.Int() {
	case 0:
		i, err := get(m, "intVal", protoreflect.Int32Kind)
		if err != nil {
			return nil, err
		}
		return starlark.MakeInt64(i.Int()), nil
	case 1:
		s, err := get(m, "strVal", protoreflect.StringKind)
		if err != nil {
			return nil, err
		}
		return starlark.String(s.String()), nil
	}
	return nil, fmt.Errorf("IntOrString of unknown type %d", t.Int())
}

func boxTime(v starlark.Value, dst protoreflect.Message) error {
	s, ok := v.(starlark.String)
	if !ok {
		return fmt.Errorf("got %s, want %s: an RFC 3339 time such as \"2024-05-01T12:00:00Z\"", describe(v), dst.Descriptor().Name())
	}
	t, err := time.Parse(time.RFC3339Nano, string(s))
	if err != nil {
		return fmt.Errorf("%q is not an RFC 3339 time such as \"2024-05-01T12:00:00Z\": %v", string(s), err)
	}
	return set(dst, "seconds", t.Unix(), "nanos", int32(t.Nanosecond()))
}

func unboxTime(m protoreflect.Message) (starlark.Value, error) {
	s, err := get(m, "seconds", protoreflect.Int64Kind)
	if err != nil {
		return nil, err
	}
	n, err := get(m, "nanos", protoreflect.Int32Kind)
	if err != nil {
		return nil, err
	}
	return starlark.String(time.Unix(s.Int(), n.Int()).UTC().Format(time.RFC3339Nano)), nil
}

func boxDuration(v starlark.Value, dst protoreflect.Message) error {
	s, ok := v.(starlark.String)
	if !ok {
		return fmt.Errorf("got %s, want Duration: a string such as \"30s\", \"5m\" or \"1h30m\"", describe(v))
	}
	d, err := time.ParseDuration(string(s))
	if err != nil {
		return fmt.Errorf("%q is not a duration such as \"30s\", \"5m\" or \"1h30m\": %v", string(s), err)
	}
	return set(dst, "duration", int64(d))
}

func unboxDuration(m protoreflect.Message) (starlark.Value, error) {
	d, err := get(m, "duration", protoreflect.Int64Kind)
	if err != nil {
		return nil, err
	}
	return starlark.String(time.Duration(d.Int()).String()), nil
}
