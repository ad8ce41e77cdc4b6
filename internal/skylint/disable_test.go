package skylint

import (
	"reflect"
	"strings"
	"testing"
)

func TestComments(t *testing.T) {
	src := "x = \"#no\"  # one\n  # two\ns = '''\n# no\n''' # three\ny = 'a\\'#' + \"\"\"\"#\"\"\" # four\n"
	var got []string
	for _, c := range comments([]byte(src)) {
		got = append(got, strings.Join([]string{c.text, map[bool]string{true: "alone", false: "after"}[c.alone]}, " "))
	}
	want := []string{"# one after", "# two alone", "# three after", "# four after"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("comments = %q, want %q", got, want)
	}
}

func TestParseDisable(t *testing.T) {
	for in, want := range map[string][]string{
		"# skyc: disable=load":                          {"load"},
		"#skyc:disable=load":                            {"load"},
		"# skyc: disable=load,no-effect":                {"load", "no-effect"},
		"# skyc: disable=load, no-effect":               {"load", "no-effect"},
		"# skyc: disable=load, no-effect as planned":    {"load", "no-effect"},
		"# buildifier: disable=unused-variable":         {"unused-variable"},
		"# skyc: disable=integer-division  (we want 3)": {"integer-division"},
		"# skyc: enable=load":                           nil,
		"# a comment":                                   nil,
		"# not skyc: disable=load":                      nil,
	} {
		if got := parseDisable(in); !reflect.DeepEqual(got, want) {
			t.Errorf("parseDisable(%q) = %q, want %q", in, got, want)
		}
	}
}
