//go:build unix

package manifest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestMain lets the test binary act as a second skyc process: with
// SKYC_MANIFEST_HELPER=write it writes trees into SKYC_MANIFEST_DIR.
func TestMain(m *testing.M) {
	if os.Getenv("SKYC_MANIFEST_HELPER") == "write" {
		os.Exit(helperWrite())
	}
	os.Exit(m.Run())
}

// helperWrite writes the trees of the versions in SKYC_MANIFEST_VERSIONS
// (comma-separated; "loop:P" writes P-0, P-1, ... until killed) with
// SKYC_MANIFEST_SERVICES services each.
func helperWrite() int {
	dir := os.Getenv("SKYC_MANIFEST_DIR")
	n, _ := strconv.Atoi(os.Getenv("SKYC_MANIFEST_SERVICES"))
	versions := os.Getenv("SKYC_MANIFEST_VERSIONS")
	write := func(v string) bool {
		if err := WriteTree(context.Background(), dir, treeFor(v, n)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return false
		}
		return true
	}
	if prefix, ok := strings.CutPrefix(versions, "loop:"); ok {
		for i := 0; ; i++ {
			if !write(fmt.Sprintf("%s-%d", prefix, i)) {
				return 1
			}
		}
	}
	for _, v := range strings.Split(versions, ",") {
		if !write(v) {
			return 1
		}
	}
	return 0
}

const versionAnnotation = "test.skyc.dev/version"

// treeFor returns the objects of one version of a tree: n shared services
// and one service of the version's own, each with three objects that carry
// the version.
func treeFor(version string, n int) []Object {
	var objs []Object
	services := []string{"only-" + version}
	for i := range n {
		services = append(services, fmt.Sprintf("svc-%d", i))
	}
	for _, svc := range services {
		meta := func() metav1.ObjectMeta {
			return metav1.ObjectMeta{Name: svc, Namespace: "shop", Annotations: map[string]string{versionAnnotation: version}}
		}
		d := deployment()
		d.ObjectMeta = meta()
		s := service()
		s.ObjectMeta = meta()
		cm := configMap()
		cm.ObjectMeta = meta()
		for _, obj := range []Object{{Obj: d}, {Obj: s}, {Obj: cm, Source: "services/" + svc + ".sky:3:1"}} {
			obj.Env, obj.Service = "prod", svc
			objs = append(objs, obj)
		}
	}
	return objs
}

// expectedPaths is the set of files a complete tree of version has.
func expectedPaths(t testing.TB, version string, n int) []string {
	files, err := planTree(treeFor(version, n))
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{MarkerFile}
	for _, f := range files {
		paths = append(paths, f.path)
	}
	slices.Sort(paths)
	return paths
}

var versionRE = regexp.MustCompile(versionAnnotation + `: (\S+)`)

// checkComplete checks that files is exactly one complete tree of one
// version, and returns that version.
func checkComplete(t testing.TB, files map[string]string, n int) string {
	t.Helper()
	v, err := completeVersion(t, files, n)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func completeVersion(t testing.TB, files map[string]string, n int) (string, error) {
	versions := map[string]bool{}
	for p, content := range files {
		if p == MarkerFile {
			continue
		}
		m := versionRE.FindStringSubmatch(content)
		if m == nil {
			return "", fmt.Errorf("%s has no version annotation:\n%s", p, content)
		}
		versions[m[1]] = true
	}
	if len(versions) != 1 {
		return "", fmt.Errorf("tree mixes versions %v", versions)
	}
	var version string
	for v := range versions {
		version = v
	}
	var got []string
	for p := range files {
		got = append(got, p)
	}
	slices.Sort(got)
	if want := expectedPaths(t, version, n); !slices.Equal(got, want) {
		return "", fmt.Errorf("tree of version %s is incomplete: has %d files, want %d", version, len(got), len(want))
	}
	return version, nil
}

// checkNoLeftovers checks that dir's parent holds nothing but dir.
func checkNoLeftovers(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != filepath.Base(dir) {
			t.Errorf("leftover %s next to the tree", e.Name())
		}
	}
}

func TestWriteTreeLayout(t *testing.T) {
	old := syscall.Umask(0o077) // modes must not depend on the umask
	defer syscall.Umask(old)

	dir := filepath.Join(t.TempDir(), "out")
	objs := []Object{
		{Env: "prod", Service: "web", Source: "services/web.sky:10:3", Obj: deployment()},
		{Env: "prod", Service: "web", Obj: service()},
		{Env: "prod", Service: "web", Obj: secret()},
		{Env: "prod", Service: "web", Obj: cronJob()},
		{Env: "prod", Service: "web", Obj: customResource()},
		{Env: "staging", Service: "web", Obj: deployment()},
		// Two ConfigMaps named web in two namespaces: names fold in the
		// namespace.
		{Env: "prod", Service: "web", Obj: namedConfigMap("shop", "web")},
		{Env: "prod", Service: "web", Obj: namedConfigMap("ops", "web")},
		{Env: "prod", Service: "web", Obj: namedConfigMap("shop", "web-extra")},
		// A Knative Service next to a core Service: kinds fold in the group.
		{Env: "prod", Service: "web", Obj: knativeService()},
		{Env: "prod", Service: "worker", Obj: pdb()},
	}
	if err := WriteTree(context.Background(), dir, objs); err != nil {
		t.Fatal(err)
	}
	var listing strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(&listing, "%v %s\n", fi.Mode(), filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "tree.txt", []byte(listing.String()))

	got, err := os.ReadFile(filepath.Join(dir, "prod/web/deployment-web.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Encode(deployment())
	if err != nil {
		t.Fatal(err)
	}
	if want := "# Source: services/web.sky:10:3\n" + string(doc); string(got) != want {
		t.Errorf("deployment file:\n%s\nwant:\n%s", got, want)
	}
	checkNoLeftovers(t, dir)
}

func TestWriteTreeReplacesWholeTree(t *testing.T) {
	t.Run("exchange", func(t *testing.T) { testReplacesWholeTree(t, treeOptions{}) })
	t.Run("two renames", func(t *testing.T) { testReplacesWholeTree(t, treeOptions{noExchange: true}) })
}

func testReplacesWholeTree(t *testing.T, opts treeOptions) {
	dir := filepath.Join(t.TempDir(), "out")
	for _, v := range []string{"v1", "v2", "v3"} {
		if err := writeTree(context.Background(), dir, treeFor(v, 2), opts); err != nil {
			t.Fatal(err)
		}
		if got := checkComplete(t, readTree(t, dir), 2); got != v {
			t.Fatalf("tree has version %s, want %s", got, v)
		}
		// The previous version's own service is gone.
		checkNoLeftovers(t, dir)
	}
	// An empty set of objects leaves only the marker.
	if err := writeTree(context.Background(), dir, nil, opts); err != nil {
		t.Fatal(err)
	}
	if files := readTree(t, dir); len(files) != 1 || files[MarkerFile] == "" {
		t.Errorf("tree of no objects has %d files", len(files))
	}
}

// TestWriteTreeFailureKeepsOldTree breaks writes in several ways and checks
// that the previous tree is untouched and nothing is left behind.
func TestWriteTreeFailureKeepsOldTree(t *testing.T) {
	noKind := deployment()
	noKind.Kind = ""
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := map[string]struct {
		ctx  context.Context
		objs []Object
		opts treeOptions
		want string
	}{
		"failure after half the files": {
			objs: treeFor("v2", 4),
			opts: treeOptions{failAfter: len(treeFor("v2", 4)) / 2},
			want: errInjected.Error(),
		},
		"an object that does not encode": {
			objs: append(treeFor("v2", 4), Object{Env: "prod", Service: "web", Obj: noKind}),
			want: "apiVersion and kind must be set",
		},
		"duplicate objects": {
			objs: append(treeFor("v2", 4), treeFor("v2", 4)[0]),
			want: "would both be written to prod/only-v2/deployment-only-v2.yaml",
		},
		"cancelled": {
			ctx:  cancelled,
			objs: treeFor("v2", 4),
			want: "context canceled",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			if err := WriteTree(context.Background(), dir, treeFor("v1", 4)); err != nil {
				t.Fatal(err)
			}
			before := readTree(t, dir)
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			err := writeTree(ctx, dir, tc.objs, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
			after := readTree(t, dir)
			if !mapsEqual(before, after) {
				t.Error("the failed write changed the previous tree")
			}
			checkComplete(t, after, 4)
			checkNoLeftovers(t, dir)
		})
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestWriteTreeRefusesForeignDirectories(t *testing.T) {
	objs := treeFor("v1", 1)
	t.Run("non-empty directory without marker", func(t *testing.T) {
		dir := t.TempDir()
		notes := filepath.Join(dir, "notes.txt")
		if err := os.WriteFile(notes, []byte("precious"), 0o644); err != nil {
			t.Fatal(err)
		}
		err := WriteTree(context.Background(), dir, objs)
		if err == nil || !strings.Contains(err.Error(), "refusing to replace") || !strings.Contains(err.Error(), MarkerFile) {
			t.Fatalf("error = %v, want a refusal that names %s", err, MarkerFile)
		}
		if b, err := os.ReadFile(notes); err != nil || string(b) != "precious" {
			t.Errorf("notes.txt was touched: %q, %v", b, err)
		}
		checkNoLeftovers(t, filepath.Join(dir, "notes.txt")) // nothing but notes.txt
	})
	t.Run("regular file", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "out")
		if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		err := WriteTree(context.Background(), file, objs)
		if err == nil || !strings.Contains(err.Error(), "is not a directory") {
			t.Fatalf("error = %v, want not a directory", err)
		}
	})
	t.Run("empty directory", func(t *testing.T) {
		dir := t.TempDir()
		if err := WriteTree(context.Background(), dir, objs); err != nil {
			t.Fatal(err)
		}
		checkComplete(t, readTree(t, dir), 1)
	})
	t.Run("symbolic link to a tree", func(t *testing.T) {
		base := t.TempDir()
		real := filepath.Join(base, "real")
		link := filepath.Join(base, "link")
		if err := WriteTree(context.Background(), real, objs); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(real, link); err != nil {
			t.Fatal(err)
		}
		if err := WriteTree(context.Background(), link, treeFor("v2", 1)); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("the link was replaced: %v", err)
		}
		if v := checkComplete(t, readTree(t, real), 1); v != "v2" {
			t.Errorf("link target has version %s, want v2", v)
		}
	})
}

func TestWriteTreeRejectsUnsafeNames(t *testing.T) {
	named := func(namespace, name string) *corev1.ConfigMap { return namedConfigMap(namespace, name) }
	tests := map[string]struct {
		objs []Object
		want string
	}{
		"empty service":      {[]Object{{Obj: configMap()}}, "service is empty"},
		"service with slash": {[]Object{{Service: "a/b", Obj: configMap()}}, `service "a/b" contains a path separator`},
		"service dot-dot":    {[]Object{{Service: "..", Obj: configMap()}}, `service ".." contains ".."`},
		"hidden service":     {[]Object{{Service: ".git", Obj: configMap()}}, `service ".git" starts with a dot`},
		"env with backslash": {[]Object{{Env: `a\b`, Service: "web", Obj: configMap()}}, "environment"},
		"name with slash":    {[]Object{{Service: "web", Obj: named("shop", "../../etc")}}, `name "../../etc"`},
		"name with NUL":      {[]Object{{Service: "web", Obj: named("shop", "a\x00b")}}, "NUL"},
		"empty name":         {[]Object{{Service: "web", Obj: named("shop", "")}}, "name is empty"},
		"namespace dot-dot":  {[]Object{{Service: "web", Obj: named("..", "web")}}, `namespace ".."`},
		"no object":          {[]Object{{Service: "web"}}, "has no Obj"},
		"mixed environments": {
			[]Object{{Env: "prod", Service: "web", Obj: configMap()}, {Service: "web", Obj: service()}},
			"cannot share a tree",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			err := WriteTree(context.Background(), dir, tc.objs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
			if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the failed write created %s", dir)
			}
		})
	}
}

func TestWriteTreeWaitsForLock(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	unlock, err := lockDir(context.Background(), filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = WriteTree(ctx, dir, treeFor("v1", 1))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want the deadline while the lock is held", err)
	}
	unlock()
	if err := WriteTree(context.Background(), dir, treeFor("v1", 1)); err != nil {
		t.Fatal(err)
	}
}

// watch reads the tree at dir until stop is closed and fails the test if it
// ever sees a tree that is not one complete version.
func watch(t *testing.T, dir string, n int, stop <-chan struct{}) (done func() int) {
	var wg sync.WaitGroup
	seen := 0
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			files, ok, err := snapshot(dir)
			if err != nil || !ok {
				continue // absent yet, or replaced while being read
			}
			if _, err := completeVersion(t, files, n); err != nil {
				t.Error(err)
				return
			}
			seen++
		}
	})
	return func() int { wg.Wait(); return seen }
}

func TestWriteTreeConcurrentGoroutines(t *testing.T) {
	const n = 3
	dir := filepath.Join(t.TempDir(), "out")
	stop := make(chan struct{})
	done := watch(t, dir, n, stop)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 5 {
				if err := WriteTree(context.Background(), dir, treeFor(fmt.Sprintf("g%d-%d", g, i), n)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	t.Logf("checked %d snapshots", done())
	checkComplete(t, readTree(t, dir), n)
	checkNoLeftovers(t, dir)
}

func helperCmd(t *testing.T, dir, versions string, n int) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		"SKYC_MANIFEST_HELPER=write",
		"SKYC_MANIFEST_DIR="+dir,
		"SKYC_MANIFEST_VERSIONS="+versions,
		"SKYC_MANIFEST_SERVICES="+strconv.Itoa(n),
	)
	cmd.Stderr = os.Stderr
	return cmd
}

func TestWriteTreeConcurrentProcesses(t *testing.T) {
	const n = 3
	dir := filepath.Join(t.TempDir(), "out")
	stop := make(chan struct{})
	done := watch(t, dir, n, stop)
	var cmds []*exec.Cmd
	for p := range 2 {
		var vs []string
		for i := range 6 {
			vs = append(vs, fmt.Sprintf("p%d-%d", p, i))
		}
		cmd := helperCmd(t, dir, strings.Join(vs, ","), n)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("writer process: %v", err)
		}
	}
	close(stop)
	t.Logf("checked %d snapshots", done())
	if v := checkComplete(t, readTree(t, dir), n); v != "p0-5" && v != "p1-5" {
		t.Errorf("final tree has version %s, want the last of a writer", v)
	}
	checkNoLeftovers(t, dir)
}

// TestWriteTreeCrash kills a writing process at random moments and checks
// that the tree is always one complete version, and that the next write
// cleans up what the dead writer left.
func TestWriteTreeCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	const n = 20
	dir := filepath.Join(t.TempDir(), "out")
	if err := WriteTree(context.Background(), dir, treeFor("start", n)); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewSource(1))
	for round := range 6 {
		cmd := helperCmd(t, dir, fmt.Sprintf("loop:r%d", round), n)
		cmd.Stderr = nil
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(50+r.Intn(400)) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		checkComplete(t, readTree(t, dir), n)
	}
	if err := WriteTree(context.Background(), dir, treeFor("end", n)); err != nil {
		t.Fatal(err)
	}
	checkComplete(t, readTree(t, dir), n)
	checkNoLeftovers(t, dir)
}
