package aws

import (
	_ "embed" // for the prebuilt descriptors
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/runtime/protoimpl"
)

// Building FileSet and checking it with protodesc costs about 1.6 ms in
// every process that evaluates a file, so Files reads the descriptors
// prebuilt from it instead: aws.binpb is FileSet's wire form, written by
//
//	go generate ./schemas/aws
//
// TestPrebuiltCurrent fails when it differs from what FileSet gives now.
// protoimpl.DescBuilder builds the files as generated protobuf code builds
// its own, reading a file's fields on first use.

//go:generate go test -run ^TestPrebuiltCurrent$ -update .

//go:embed aws.binpb
var prebuiltSet []byte

// prebuiltFiles builds the files of the prebuilt FileDescriptorSet, in
// its order (dependencies first).
func prebuiltFiles() (files *protoregistry.Files, err error) {
	defer func() {
		// DescBuilder panics where protodesc would return an error.
		if p := recover(); p != nil {
			files, err = nil, fmt.Errorf("building prebuilt AWS descriptors: %v", p)
		}
	}()
	files = new(protoregistry.Files)
	set := prebuiltSet
	if len(set) == 0 {
		return nil, errors.New("no prebuilt AWS descriptors")
	}
	for len(set) > 0 {
		num, typ, n := protowire.ConsumeTag(set)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		set = set[n:]
		if num != 1 || typ != protowire.BytesType { // FileDescriptorSet.file
			return nil, errors.New("prebuilt AWS descriptors: not a FileDescriptorSet")
		}
		raw, n := protowire.ConsumeBytes(set)
		if n < 0 {
			return nil, protowire.ParseError(n)
		}
		set = set[n:]
		protoimpl.DescBuilder{RawDescriptor: raw, FileRegistry: files}.Build()
	}
	return files, nil
}
