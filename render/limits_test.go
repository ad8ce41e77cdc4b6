package render

import (
	"strings"
	"testing"
)

const configMap = `k8s.core.ConfigMap(metadata = k8s.meta.ObjectMeta(name = "config"), data = {"key": "value"})`

// TestResultBounds: what main returns is walked within bounds, however
// small the value that stands for it, and a bound reached renders nothing
// of the file.
func TestResultBounds(t *testing.T) {
	tests := map[string]struct {
		src        string
		maxObjects int
		objects    int    // rendered, when it succeeds
		msg, hint  string // the error, when it fails
	}{
		"at the limit": {
			src:        "def main(ctx):\n    return [" + strings.Replace(configMap, `"config"`, `"c%d" % i`, 1) + " for i in range(5)]\n",
			maxObjects: 5,
			objects:    5,
		},
		"one over": {
			src:        "def main(ctx):\n    return [" + strings.Replace(configMap, `"config"`, `"c%d" % i`, 1) + " for i in range(6)]\n",
			maxObjects: 5,
			msg:        "main() returned more than 5 objects",
			hint:       "a service renders a few dozen objects; if this many are intended, raise the limit with --max-objects",
		},
		"a million of one object": {
			src: "def main(ctx):\n    return [" + configMap + "] * 1000000\n",
			msg: "main() returned more than 10000 objects",
		},
		"a list repeated inside itself": {
			// 2⁶⁰ empty lists from 60 small ones.
			src: "def main(ctx):\n    l = []\n    for i in range(60):\n        l = [l, l]\n    return l\n",
			msg: "main() returned more than 100000 values (lists, structs and objects)",
		},
		"nested deep": {
			src:  "def main(ctx):\n    l = [" + configMap + "]\n    for i in range(200):\n        l = [l]\n    return l\n",
			msg:  "main() returned lists or structs nested more than 100 deep",
			hint: "return a flat list of objects",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			root := repo(t, map[string]string{"svc.sky": tt.src})
			_, res := renderPaths(t, Options{Root: root, MaxObjects: tt.maxObjects}, root+"/svc.sky")
			if tt.msg == "" {
				if res.Failed() {
					t.Fatalf("render failed: %v", res.Diagnostics[0])
				}
				if len(res.Objects) != tt.objects {
					t.Errorf("%d objects, want %d", len(res.Objects), tt.objects)
				}
				return
			}
			if len(res.Diagnostics) != 1 {
				t.Fatalf("%d diagnostics, want 1: %v", len(res.Diagnostics), res.Diagnostics)
			}
			d := res.Diagnostics[0]
			if d.Message != tt.msg || d.Pos.File != "svc.sky" {
				t.Errorf("diagnostic %v, want %q at svc.sky", d, tt.msg)
			}
			if tt.hint != "" && d.Hint != tt.hint {
				t.Errorf("hint %q, want %q", d.Hint, tt.hint)
			}
			if len(res.Objects) != 0 {
				t.Errorf("%d objects rendered from a file that failed", len(res.Objects))
			}
		})
	}
}

// TestOutOfMemoryStopsRender: the memory limit is the process's, so once
// one file runs out the others are not evaluated, and not blamed.
func TestOutOfMemoryStopsRender(t *testing.T) {
	files := map[string]string{
		"a_bomb.sky": "def main(ctx):\n    l = [1]\n    for i in range(64):\n        l = l + l\n    return []\n",
	}
	for _, name := range []string{"b", "c", "d", "e", "f", "g"} {
		files[name+".sky"] = "def main(ctx):\n    return " + strings.Replace(configMap, `"config"`, `"`+name+`"`, 1) + "\n"
	}
	root := repo(t, files)
	_, res := renderPaths(t, Options{Root: root, MaxMemory: 64 << 20, MaxSteps: 1 << 40, Parallel: 1}, root+"/...")
	if !res.Failed() {
		t.Fatal("render succeeded")
	}
	for _, d := range res.Diagnostics {
		if d.Pos.File != "a_bomb.sky" {
			t.Errorf("diagnostic for a file that did nothing wrong: %v", d)
		}
	}
	if d := res.Diagnostics[0]; !strings.Contains(d.Message, "memory limit of 64 MiB reached") {
		t.Errorf("diagnostic %v, want the memory limit", d)
	}
}
