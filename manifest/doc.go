// Package manifest is skyc's rendered object model and its deterministic
// serialization: the Kubernetes objects that evaluating .sky files produced,
// their canonical order, and how they are written as YAML, to a stream or to
// a directory tree.
//
// # Objects and their order
//
// An [Object] is one rendered Kubernetes object (a k8s.io/api struct or an
// *unstructured.Unstructured) with the environment and service it belongs
// to and the .sky position that made it. [Sort] puts a set of objects into
// the canonical order: environment, service, then kinds in install order
// (namespaces and CRDs first, workloads after their configuration, policies
// and ingresses last), then namespace and name. Output that follows this
// order changes only where the configuration changed.
//
// # Encoding
//
// [Encode] writes one object as YAML. The output is what kubectl prints for
// the object, less what a server adds: the bytes equal those of the
// reference path
//
//	json.Marshal → prune → sigs.k8s.io/yaml.Marshal
//
// where prune removes, from typed objects,
//
//   - the top-level status (when it is a struct, i.e. the status
//     subresource);
//   - every struct member that encodes as null: nil pointers, slices and
//     maps without omitempty, zero metav1.Time, empty RawExtension;
//   - every struct member whose Go type is a struct (not a pointer) that
//     encodes member by member and comes out as {}: a zero value the author
//     did not set, such as resources, strategy or a pod template's metadata.
//     encoding/json cannot leave those out because omitempty does not apply
//     to structs.
//
// An empty object set through a pointer stays, because it means something:
// "emptyDir: {}" selects the volume type, "securityContext: {}" is
// explicit. Empty lists and maps follow the json tags, as with kubectl:
// omitempty drops them. Values of types with their own MarshalJSON
// (resource.Quantity, metav1.Time, intstr.IntOrString, RawExtension,
// FieldsV1) are leaves encoded by that method and never pruned inside; []byte
// (Secret data) is base64. Unstructured objects lose only status and a null
// metadata.creationTimestamp; everything else in them is the author's.
//
// Encode does not take the reference path. It walks the Go value with
// reflection, following encoding/json's rules (json tag names, "-",
// omitempty, omitzero, promoted fields of embedded structs such as
// `json:",inline"` TypeMeta, Marshaler and TextMarshaler methods, invalid
// UTF-8 replaced), with an encoder per type built once and cached, and
// writes each mapping's keys in the order yaml.v2 emits a map's keys (a
// "natural" order: "a9" before "a10").
//
// Most objects take the direct path (direct.go): one pass that writes the
// YAML as it walks the value, exactly as yaml.v2's emitter would lay it
// out, dropping a pruned member by cutting the output back to before its
// key, and writing resource.Quantity, intstr.IntOrString and metav1.Time
// from their fields. Whatever it cannot be sure of — strings other than
// short printable ASCII (line breaks, non-ASCII, folding at column 80),
// unstructured objects, encoding errors — it hands, whole, to the
// two-pass path: tree.go builds the YAML document tree (numbers typed as
// yaml.v2 would type their JSON text), and emit.go writes it as the direct
// path would, or yaml.v2's emitter does when emit.go cannot. Tests check
// the result byte for byte against the reference path over random objects
// of every kind client-go knows, on both paths.
//
// [EncodeMessage] is a third way in (message.go): it writes the document
// of an object from the protobuf message the object would be converted
// from (package schemas' Registry.ToObject), walking the same per-type
// plans by field number instead of by reflection over a Go value, so
// that skyc render never builds the k8s.io/api struct of an object it
// only writes. Its bytes are those Encode gives for the converted
// object; where it cannot be sure of them (RawExtension, MicroTime, named
// slices, strings the direct path hands on) it says so, and the caller
// converts the message and calls Encode. Tests compare the two over
// random messages of every built-in kind, and FuzzEncodeMessage over
// fuzzed Deployments.
//
// The output is deterministic: the same object gives the same bytes. (For
// map keys on which yaml.v2's order is not transitive, such as "9Z", "09"
// and "99z", yaml.v2's own output depends on Go's map iteration order;
// Encode breaks the tie by byte order first and is stable.)
//
// # Streams and trees
//
// [WriteStream] writes objects as one multi-document YAML stream. [WriteTree]
// writes one file per object, DIR/<env>/<service>/<kind>-<name>.yaml, and
// does so all or nothing: the tree is written and synced next to DIR and
// then swapped in by a rename (on Linux an atomic exchange of the two
// directories), so that readers and crashes see either the whole previous
// tree or the whole new one. A marker file, [MarkerFile], identifies trees
// that WriteTree may replace; any other non-empty directory is refused.
// Concurrent writers of one DIR are serialized with flock on DIR's parent
// directory, and the last one wins with its whole tree.
//
// # Documents
//
// An Object whose Doc is set is a [Document] instead of a Kubernetes
// object: a service's CloudFormation template or an IAM role's policy
// documents, encoded by the code that made it ([EncodeYAML], with the same
// emitter as objects, or [EncodeJSON], which keeps mappings in order).
// Documents sort after their service's objects, go into a tree as
// DIR/<env>/<service>/cloudformation/<stack>.yaml and
// DIR/<env>/<service>/iam/<role>.json (a YAML document after its
// "# Source:" comment, JSON as it is), and into a stream after a
// "# File:" comment naming that path. ReadTree reads them back.
package manifest
