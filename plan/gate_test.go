package plan

import (
	"slices"
	"testing"
)

func TestAllow(t *testing.T) {
	changes := func() *Plan {
		return &Plan{Changes: []*Change{
			{Env: "staging", Kind: "Deployment", Namespace: "team", Name: "web", Action: Recreate, Destructive: "recreate"},
			{Env: "production", Kind: "Deployment", Namespace: "team", Name: "web", Action: Recreate, Destructive: "recreate"},
			{Env: "staging", Kind: "Namespace", Name: "team", Action: Delete, Destructive: "delete"},
			{Env: "staging", Kind: "ConfigMap", Namespace: "team", Name: "web", Action: Update},
		}}
	}
	for name, tc := range map[string]struct {
		spec    []string
		allowed []bool
		unused  []string
		status  Status
	}{
		"nothing":           {nil, []bool{false, false, false, false}, nil, Blocked},
		"all":               {[]string{"all"}, []bool{true, true, true, false}, nil, Changes},
		"one environment":   {[]string{"staging:Deployment/team/web"}, []bool{true, false, false, false}, nil, Blocked},
		"every environment": {[]string{"deployment/team/web,Namespace/team"}, []bool{true, true, true, false}, nil, Changes},
		"repeated flags":    {[]string{"Deployment/team/web", "Namespace/team", "Service/team/web"}, []bool{true, true, true, false}, []string{"Service/team/web"}, Changes},
		"not destructive":   {[]string{"ConfigMap/team/web"}, []bool{false, false, false, false}, []string{"ConfigMap/team/web"}, Blocked},
		"wrong environment": {[]string{"dev:Namespace/team"}, []bool{false, false, false, false}, []string{"dev:Namespace/team"}, Blocked},
	} {
		t.Run(name, func(t *testing.T) {
			a, err := ParseAllowlist(tc.spec...)
			if err != nil {
				t.Fatal(err)
			}
			p := changes()
			unused := p.Allow(a)
			var got []bool
			for _, c := range p.Changes {
				got = append(got, c.Allowed)
			}
			if !slices.Equal(got, tc.allowed) || !slices.Equal(unused, tc.unused) || p.Status() != tc.status {
				t.Errorf("allowed %v, unused %q, status %s; want %v, %q, %s", got, unused, p.Status(), tc.allowed, tc.unused, tc.status)
			}
		})
	}
	for _, bad := range []string{"Deployment", "Deployment/", "/team/web", "Deployment/a/b/c", "Deployment//web"} {
		if _, err := ParseAllowlist(bad); err == nil {
			t.Errorf("ParseAllowlist(%q): no error", bad)
		}
	}
}

func TestStatus(t *testing.T) {
	for _, tc := range []struct {
		p    *Plan
		want Status
	}{
		{&Plan{Targets: []*Target{{Name: "a", Unchanged: 3}}}, NoChanges},
		{&Plan{Changes: []*Change{{Action: Update}}}, Changes},
		{&Plan{Changes: []*Change{{Action: Delete, Destructive: "x"}}}, Blocked},
		{&Plan{Changes: []*Change{{Action: Delete, Destructive: "x", Allowed: true}}}, Changes},
		// A failed target is never "no changes", and outranks a block.
		{&Plan{Targets: []*Target{{Name: "a", Err: "down"}}}, Incomplete},
		{&Plan{Problems: []*Problem{{Message: "x"}}, Changes: []*Change{{Action: Delete, Destructive: "x"}}}, Incomplete},
	} {
		if got := tc.p.Status(); got != tc.want {
			t.Errorf("%+v: status %s, want %s", tc.p, got, tc.want)
		}
	}
}
