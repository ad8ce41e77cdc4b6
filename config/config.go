package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/skyc-dev/skyc/internal/spell"
)

// FileName is the name of the repository config file; the directory that
// holds it is the repository root.
const FileName = "skyc.yaml"

// Config is a repository's configuration.
type Config struct {
	// Path is the file the config was read from, "" when there is none.
	Path string `yaml:"-"`
	// Defaults apply to every environment.
	Defaults Settings `yaml:"defaults"`
	// Environments by name.
	Environments map[string]*Settings `yaml:"environments"`
}

// Settings are the properties of an environment.
type Settings struct {
	// Cluster names the Kubernetes cluster (a kubeconfig context).
	Cluster string `yaml:"cluster"`
	// Clusters name more kubeconfig contexts of the environment: an
	// environment spread over several clusters renders once and is
	// compared (skyc diff) against each of Cluster and Clusters.
	Clusters []string `yaml:"clusters"`
	// Kubeconfig is the kubeconfig file holding the contexts. A relative
	// path is relative to the directory of skyc.yaml and "~/" is the home
	// directory; empty means the client default ($KUBECONFIG, else
	// ~/.kube/config).
	Kubeconfig string `yaml:"kubeconfig"`
	// Region is the AWS region.
	Region string `yaml:"region"`
	// Namespace is the default namespace of rendered objects.
	Namespace string `yaml:"namespace"`
	// Vars are the environment's variables, seen by .sky files as ctx.vars.
	Vars map[string]string `yaml:"vars"`
}

// Environment is one environment with the defaults applied.
type Environment struct {
	Name string
	Settings
}

var envName = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)

// Parse reads a config from data; path names it in errors.
func Parse(path string, data []byte) (*Config, error) {
	c := &Config{Path: path}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	for name := range c.Environments {
		if !envName.MatchString(name) {
			return nil, fmt.Errorf("%s: environment name %q must be lower-case letters, digits and '-', starting with a letter", path, name)
		}
		if c.Environments[name] == nil {
			c.Environments[name] = &Settings{}
		}
	}
	return c, nil
}

// Load reads root/skyc.yaml. A missing file is an empty config.
func Load(root string) (*Config, error) {
	path := filepath.Join(root, FileName)
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return &Config{}, nil
	}
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// FindRoot returns the repository root for path: the nearest directory at
// or above it holding skyc.yaml. Without one it returns "", false.
func FindRoot(path string) (string, bool) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", false
	}
	if info, err := os.Stat(abs); err == nil && !info.IsDir() {
		abs = filepath.Dir(abs)
	}
	for dir := abs; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, FileName)); err == nil {
			return dir, true
		}
		if filepath.Dir(dir) == dir {
			return "", false
		}
	}
}

// Names returns the environment names in sorted order.
func (c *Config) Names() []string {
	names := make([]string, 0, len(c.Environments))
	for n := range c.Environments {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Env returns the named environment with the defaults applied. An unknown
// name is an error listing the known ones.
func (c *Config) Env(name string) (*Environment, error) {
	s, ok := c.Environments[name]
	if !ok {
		names := c.Names()
		msg := fmt.Sprintf("unknown environment %q", name)
		if len(names) == 0 {
			return nil, fmt.Errorf("%s: no environments are defined in %s", msg, FileName)
		}
		if n := spell.Nearest(name, names); n != "" {
			return nil, fmt.Errorf("%s (did you mean %q?)", msg, n)
		}
		return nil, fmt.Errorf("%s: known environments are %s", msg, strings.Join(names, ", "))
	}
	env := &Environment{Name: name, Settings: c.Defaults}
	env.Vars = map[string]string{}
	for k, v := range c.Defaults.Vars {
		env.Vars[k] = v
	}
	for k, v := range s.Vars {
		env.Vars[k] = v
	}
	if s.Cluster != "" {
		env.Cluster = s.Cluster
	}
	if len(s.Clusters) > 0 {
		env.Clusters = s.Clusters
	}
	env.Clusters = append([]string(nil), env.Clusters...)
	if s.Kubeconfig != "" {
		env.Kubeconfig = s.Kubeconfig
	}
	env.Kubeconfig = c.resolvePath(env.Kubeconfig)
	if s.Region != "" {
		env.Region = s.Region
	}
	if s.Namespace != "" {
		env.Namespace = s.Namespace
	}
	return env, nil
}

// Contexts returns the kubeconfig contexts of the environment, Cluster
// first, then Clusters, without repeats or empty names.
func (e *Environment) Contexts() []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range append([]string{e.Cluster}, e.Clusters...) {
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// resolvePath makes a path from skyc.yaml usable from any directory: "~/"
// is the home directory and a relative path is relative to the directory
// holding the config.
func (c *Config) resolvePath(p string) string {
	if p == "" {
		return ""
	}
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
		return p
	}
	if filepath.IsAbs(p) || c.Path == "" {
		return p
	}
	p = filepath.Join(filepath.Dir(c.Path), p)
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}
