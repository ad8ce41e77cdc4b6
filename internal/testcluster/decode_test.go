package testcluster

import (
	"strings"
	"testing"
)

func TestDecodeYAML(t *testing.T) {
	for name, tc := range map[string]struct {
		in   string
		want []string // kind/name of each object
		err  string
	}{
		"one document": {
			in:   "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
			want: []string{"ConfigMap/a"},
		},
		"empty documents dropped": {
			in:   "---\n# only a comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n",
			want: []string{"ConfigMap/a", "Secret/b"},
		},
		"json document": {
			in:   `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j"}}`,
			want: []string{"ConfigMap/j"},
		},
		"list expanded": {
			in:   "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n",
			want: []string{"ConfigMap/a", "ConfigMap/b"},
		},
		"nothing": {
			in: "",
		},
		"missing kind": {
			in:  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nmetadata: {name: b}\n",
			err: "document 2",
		},
		"bad yaml": {
			in:  "apiVersion: v1\nkind: [\n",
			err: "document 1",
		},
	} {
		t.Run(name, func(t *testing.T) {
			objs, err := DecodeYAML(strings.NewReader(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one mentioning %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range objs {
				got = append(got, o.GetKind()+"/"+o.GetName())
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
