package schemas

import (
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/skyc-dev/skyc/internal/kubescheme"
	"github.com/skyc-dev/skyc/schemas/aws"
)

// TestAWSTypes: the default registry holds the Kubernetes kinds and the
// AWS types, sharing the AWS package's descriptors; extending a registry
// leaves it as it was.
func TestAWSTypes(t *testing.T) {
	p := registry(t)
	k8s, err := Build(kubescheme.Scheme())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Kinds()) != len(k8s.Kinds()) {
		t.Errorf("platform has %d kinds, want the %d of Default", len(p.Kinds()), len(k8s.Kinds()))
	}
	files, err := aws.Files()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []protoreflect.FullName{aws.TemplateName, aws.PolicyDocumentName, "skyc.aws.s3.Bucket", "skyc.aws.s3.bucket.BucketEncryption", "k8s.io.api.apps.v1.Deployment"} {
		mt, err := p.Types().FindMessageByName(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if d, err := files.FindDescriptorByName(name); err == nil && d != mt.Descriptor() {
			t.Errorf("%s: the registry's descriptor is not the AWS package's", name)
		}
	}
	if _, err := p.Types().FindEnumByName("skyc.aws.iam.Effect"); err != nil {
		t.Error(err)
	}
	if _, err := k8s.Types().FindMessageByName(aws.TemplateName); err == nil {
		t.Error("Build has the AWS types")
	}
	if _, err := p.Files().FindFileByPath("skyc/aws/cfn/template.proto"); err != nil {
		t.Error(err)
	}
}
