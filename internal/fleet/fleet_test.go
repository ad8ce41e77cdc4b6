package fleet_test

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/skyc-dev/skyc/internal/fleet"
	"github.com/skyc-dev/skyc/render"
)

func TestGenerateIsDeterministic(t *testing.T) {
	opts := fleet.Options{N: 200, Seed: 42, Shape: fleet.Mixed}
	a, b := fleet.Generate(opts), fleet.Generate(opts)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two fleets from the same options differ")
	}
	opts.Seed++
	c := fleet.Generate(opts)
	same := 0
	for i := range a.Files {
		if bytes.Equal(a.Files[i].Data, c.Files[i].Data) {
			same++
		}
	}
	if same == len(a.Files) {
		t.Fatal("a different seed gave the same fleet")
	}
}

// TestFleetRenders renders fleets of both shapes and checks that every
// service renders the objects its description promises, in every
// environment.
func TestFleetRenders(t *testing.T) {
	for _, shape := range []fleet.Shape{fleet.Peer, fleet.Mixed} {
		t.Run(shape.String(), func(t *testing.T) {
			envs := []string{"staging", "production"}
			f := fleet.Generate(fleet.Options{N: 80, Seed: 7, Shape: shape, Envs: envs})
			root := t.TempDir()
			if err := f.Write(root); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			files, explicit, err := render.Discover([]string{filepath.Join(root, "services") + "/..."})
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != len(f.Services) {
				t.Fatalf("found %d service files, want %d", len(files), len(f.Services))
			}
			r, err := render.New(ctx, render.Options{}, files[0])
			if err != nil {
				t.Fatal(err)
			}
			res := r.Render(ctx, files, explicit)
			if res.Failed() {
				t.Fatal(res.Diagnostics[0])
			}
			got := map[string]int{}
			for _, o := range res.Objects {
				got[o.Env+"/"+o.Service]++
			}
			for _, s := range f.Services {
				for _, env := range envs {
					if n := got[env+"/"+s.Name]; n != s.Objects {
						t.Errorf("%s (%s) renders %d objects in %s, want %d", s.Path, s.Kind, n, env, s.Objects)
					}
				}
			}
			if want := len(envs) * f.Objects(); len(res.Objects) != want {
				t.Errorf("rendered %d objects, want %d", len(res.Objects), want)
			}
			if shape == fleet.Peer && f.Objects() != 5*len(f.Services) {
				t.Errorf("the peer shape renders %d objects for %d services, want 5 each", f.Objects(), len(f.Services))
			}
		})
	}
}
