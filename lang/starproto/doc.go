// Package starproto is skyc's bridge between Starlark and protobuf: the
// "proto" module that .sky files build typed values with, and the values
// themselves. It keeps the Starlark-visible behaviour of skycfg's
// protomodule, so code written for one runs with the other (differences
// are listed below), but stores everything in the protobuf message
// itself: nothing is converted when a value is assigned or when the
// result is encoded.
//
// # Value model
//
// A message type, proto.package("k8s.io.api.apps.v1").Deployment, is
// called with keyword arguments, one per field (a field named after a
// Starlark keyword takes a trailing underscore: from_). The result is a
// *Message, which wraps a protoreflect.Message:
//
//	d = apps.Deployment(metadata = meta.ObjectMeta(name = "web"))
//	d.spec.replicas = 3                      # set, type-checked now
//	d.spec.replicas = "three"                # DeploymentSpec.replicas: got string "three", want int32
//	d.spec.replcas = 3                       # DeploymentSpec has no field "replcas" (did you mean "replicas"?)
//	d.spec.replicas = None                   # unset
//
// Every assignment converts the Starlark value to its protobuf form at
// once, with the field's path in any error, and stores it in the message;
// every read converts back. A repeated field reads as a *List and a map
// field as a *Map: live views of the field in its message, not copies,
// which behave like a Starlark list (append, extend, insert, pop, remove,
// index, clear, +, in, slicing) and dict (get, keys, values, items,
// update, pop, setdefault, clear, in), checking each element stored. Map
// iteration is in sorted key order, so evaluation stays deterministic.
//
// Messages compare with == and != by proto.Equal, are always truthy and
// are unhashable. str() shows them in constructor form:
// apps.v1.Deployment(metadata=ObjectMeta(name="web")).
//
// # Aliasing
//
// Messages have reference semantics, as objects do in Python: storing a
// mutable *Message in a field, a list or a map stores that message, not a
// copy, so later changes through either name are seen through both:
//
//	s = apps.DeploymentSpec()
//	d = apps.Deployment(spec = s)
//	s.replicas = 4                           # d.spec.replicas is 4
//
// This is what makes assignment cheap. A message may therefore appear in
// several places (the tree becomes a DAG, which encodes fine), but never
// inside itself: a store that would make a message contain itself fails
// ("the message would contain itself"). The check walks the stored value
// only for message types that can contain themselves, which few do (in
// Kubernetes, two scheduling types).
//
// Lists and dicts are copied when assigned to a field (their message
// elements are shared as above): assigning a Starlark list and then
// appending to that list does not change the field. skycfg instead kept
// the assigned list or dict, so that, for example, one labels dict used
// for two ObjectMeta values was shared by both; here each field has its
// own.
//
// # Laziness
//
// Reading a field never changes the message. An unset message field reads
// as an empty, detached message that remembers where it came from; the
// first write into it, or into anything read from it, attaches it (and
// every detached message above it) to its parent. So
//
//	if d.spec.strategy.type == "Recreate": ...
//
// adds nothing to d, while d.spec.strategy.type = "Recreate" creates
// spec and strategy. Unset repeated and map fields read as empty views
// that attach the field the same way when something is stored in them,
// so c.ports.append(p) and m.labels["a"] = "b" work on fresh messages.
// If the field is set by other means before a detached message is
// written to, the detached message adopts the field's value instead.
// Storing a detached message somewhere counts as a write.
//
// skycfg read unset message fields as None; code that tested for None
// should use proto.has(msg, "field").
//
// # Freezing
//
// Freeze (which Starlark applies to a module's globals after evaluation)
// makes a message immutable, and every value read from it afterwards is
// frozen too: writes fail with, for example, "cannot set
// DeploymentSpec.replicas: message is frozen (use proto.clone)". Reading
// a frozen message writes nothing, not even lazily, so frozen values can
// be shared by goroutines evaluating other files. A frozen message stored
// into a mutable one is copied, so stdlib defaults can be used as
// building blocks without being changed through the copy. Freezing a
// message does not freeze wrappers of its sub-messages obtained before;
// at the end of a module's evaluation every reachable value is frozen
// anyway.
//
// # Boxing
//
// Options.Box maps message types to Boxers, which turn plain Starlark
// values into messages wherever a message of the type is expected (a
// field, a list element, a map value) and give such messages their str()
// and their value in proto.to_dict. KubernetesBoxers covers the types
// Kubernetes writes as scalars in YAML:
//
//	c.resources.limits = {"cpu": "500m", "memory": "1Gi"}   # Quantity
//	port.targetPort = 8080                                 # IntOrString
//	m.creationTimestamp = "2024-05-01T12:00:00Z"           # Time
//
// with errors such as `Container.resources.limits["cpu"]: "1.5.2Gi" is
// not a quantity: ... (examples: "500m", "1Gi", "2")`. Reading the field
// gives the message; str() of it gives "500m".
//
// # Go API
//
// New returns a Bridge over a protoregistry.Types; Bridge.Module is the
// frozen proto module (NewModule for short), Bridge.Wrap and NewMessage
// wrap an existing message without copying it, and AsProto returns the
// message a value holds. A Bridge and frozen values are safe for
// concurrent use; mutable values, like all Starlark values, belong to
// one thread.
//
// Two thread-local hooks let a caller learn where values came from:
// NewHook sees every message a constructor makes, SetHook every later
// write to a field of a message the thread made (a field set or cleared,
// a list or map field changed in place), each at the statement that did
// it. A renderer uses them to point a finding about a field at the line
// that gave the field its value.
package starproto
