package manifest_test

import (
	"fmt"
	"os"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skyc-dev/skyc/manifest"
)

// Encode leaves out what the author did not set (status, the zero strategy,
// the template's creationTimestamp, empty resources) but keeps empty objects
// set through pointers, such as emptyDir.
func ExampleEncode() {
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "shop"},
		Spec: appsv1.DeploymentSpec{
			Template: corev1.PodTemplateSpec{
				Spec: corev1.PodSpec{
					Containers: []corev1.Container{{Name: "web", Image: "web:1.0"}},
					Volumes: []corev1.Volume{{
						Name:         "tmp",
						VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}},
					}},
				},
			},
		},
	}
	b, err := manifest.Encode(d)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(b))
	// Output:
	// apiVersion: apps/v1
	// kind: Deployment
	// metadata:
	//   name: web
	//   namespace: shop
	// spec:
	//   template:
	//     spec:
	//       containers:
	//       - image: web:1.0
	//         name: web
	//       volumes:
	//       - emptyDir: {}
	//         name: tmp
}

func ExampleWriteStream() {
	objs := []manifest.Object{
		{Service: "web", Source: "services/web.sky:4:1", Obj: &corev1.Service{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: metav1.ObjectMeta{Name: "web"},
		}},
		{Service: "web", Obj: &corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: metav1.ObjectMeta{Name: "web"},
			Data:       map[string]string{"replicas": "3"},
		}},
	}
	manifest.Sort(objs) // the ConfigMap goes first
	if err := manifest.WriteStream(os.Stdout, objs); err != nil {
		fmt.Println(err)
	}
	// Output:
	// apiVersion: v1
	// data:
	//   replicas: "3"
	// kind: ConfigMap
	// metadata:
	//   name: web
	// ---
	// # Source: services/web.sky:4:1
	// apiVersion: v1
	// kind: Service
	// metadata:
	//   name: web
}
