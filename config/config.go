package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"

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
	// CostAllocation configures the cost-allocation tags of AWS resources
	// and the Kubernetes labels that mirror them. Nil: every AWS resource
	// carries team, service, environment and cost-centre, with any value.
	CostAllocation *CostAllocation `yaml:"cost_allocation"`
	// CRDs are CustomResourceDefinition manifests, as paths relative to
	// skyc.yaml inside the repository: their kinds become typed
	// constructors for .sky files and are validated by skyc check.
	CRDs []string `yaml:"crds"`
}

// AWS are an environment's AWS settings.
type AWS struct {
	// AccountID is the AWS account the environment's resources live in,
	// twelve digits.
	AccountID string `yaml:"account_id"`
	// OIDCProvider is the cluster's OIDC issuer without "https://", e.g.
	// oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B7;
	// workloads' IAM runtime roles trust it (EKS IRSA).
	OIDCProvider string `yaml:"oidc_provider"`
}

// CostAllocation configures the four cost-allocation tags. A tag left out
// keeps its default.
type CostAllocation struct {
	Team        *CostTag `yaml:"team"`
	Service     *CostTag `yaml:"service"`
	Environment *CostTag `yaml:"environment"`
	CostCentre  *CostTag `yaml:"cost_centre"`
}

// CostTag configures one cost-allocation tag.
type CostTag struct {
	// Key is the AWS tag key, by default the name of the Kubernetes label
	// that carries the same value (team, service, environment,
	// cost-centre).
	Key string `yaml:"key"`
	// Required makes a missing value an error; default true.
	Required *bool `yaml:"required"`
	// Allowed lists the values the tag may take; empty allows any.
	Allowed []string `yaml:"allowed"`
	// Pattern is a regular expression the value must match in full.
	Pattern string `yaml:"pattern"`
}

// Tags returns the configured tags by dimension ("team", "service",
// "environment", "cost_centre"), omitting those not configured.
func (c *CostAllocation) Tags() map[string]*CostTag {
	out := map[string]*CostTag{}
	if c == nil {
		return out
	}
	for dim, t := range map[string]*CostTag{"team": c.Team, "service": c.Service, "environment": c.Environment, "cost_centre": c.CostCentre} {
		if t != nil {
			out[dim] = t
		}
	}
	return out
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
	// AWS holds the environment's AWS account and its cluster's OIDC
	// provider, which workloads with AWS resources need.
	AWS AWS `yaml:"aws"`
	// Policies choose the platform policies skyc check applies.
	Policies Policies `yaml:"policies"`
}

// Policies choose which platform policies skyc check applies and how
// severe their findings are. An environment's settings are laid over the
// defaults': severities policy by policy, the required labels as a whole.
type Policies struct {
	// Severity sets the severity of a policy's findings by the policy's
	// ID: "error", "warning" or "info", or "off" to leave the policy out.
	Severity map[string]string `yaml:"severity"`
	// RequiredLabels are the label keys every object must carry (the
	// missing-labels policy); nil keeps the library's default.
	RequiredLabels []string `yaml:"required_labels"`
}

// Severities a policy can be given in skyc.yaml; "off" leaves it out.
var policySeverities = []string{"error", "warning", "info", "off"}

func (p *Policies) check() error {
	ids := make([]string, 0, len(p.Severity))
	for id := range p.Severity {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if s := p.Severity[id]; !slices.Contains(policySeverities, s) {
			return fmt.Errorf("severity of %s: %q is not a severity: want error, warning, info or off", id, s)
		}
	}
	for _, l := range p.RequiredLabels {
		if strings.TrimSpace(l) == "" {
			return fmt.Errorf("required_labels: an empty label key")
		}
	}
	return nil
}

// merge returns p with over laid on top.
func (p Policies) merge(over Policies) Policies {
	out := Policies{RequiredLabels: p.RequiredLabels}
	if len(p.Severity)+len(over.Severity) > 0 {
		out.Severity = map[string]string{}
		maps.Copy(out.Severity, p.Severity)
		maps.Copy(out.Severity, over.Severity)
	}
	if over.RequiredLabels != nil {
		out.RequiredLabels = over.RequiredLabels
	}
	out.RequiredLabels = slices.Clone(out.RequiredLabels)
	return out
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
	// In sorted order, so that of several mistakes the same one is
	// reported every time.
	for _, name := range c.Names() {
		if !envName.MatchString(name) {
			return nil, fmt.Errorf("%s: environment name %q must be lower-case letters, digits and '-', starting with a letter", path, name)
		}
		if c.Environments[name] == nil {
			c.Environments[name] = &Settings{}
		}
		if err := c.Environments[name].AWS.check(); err != nil {
			return nil, fmt.Errorf("%s: environments.%s.aws: %w", path, name, err)
		}
		if err := c.Environments[name].Policies.check(); err != nil {
			return nil, fmt.Errorf("%s: environments.%s.policies: %w", path, name, err)
		}
	}
	if err := c.Defaults.AWS.check(); err != nil {
		return nil, fmt.Errorf("%s: defaults.aws: %w", path, err)
	}
	if err := c.Defaults.Policies.check(); err != nil {
		return nil, fmt.Errorf("%s: defaults.policies: %w", path, err)
	}
	for _, p := range c.CRDs {
		if p == "" || filepath.IsAbs(p) || strings.HasPrefix(p, "/") || !filepath.IsLocal(filepath.FromSlash(p)) {
			return nil, fmt.Errorf("%s: crds: %q is not a path inside the repository: name the file relative to skyc.yaml", path, p)
		}
	}
	tags := c.CostAllocation.Tags()
	for _, dim := range slices.Sorted(maps.Keys(tags)) {
		if err := tags[dim].check(); err != nil {
			return nil, fmt.Errorf("%s: cost_allocation.%s: %w", path, dim, err)
		}
	}
	return c, nil
}

var (
	accountID    = regexp.MustCompile(`^[0-9]{12}$`)
	oidcProvider = regexp.MustCompile(`^[a-z0-9.-]+(/[A-Za-z0-9._-]+)*$`)
)

func (a AWS) check() error {
	if a.AccountID != "" && !accountID.MatchString(a.AccountID) {
		return fmt.Errorf("account_id %q: want twelve digits (quote it, or YAML may read it as a number)", a.AccountID)
	}
	if strings.HasPrefix(a.OIDCProvider, "https://") {
		return fmt.Errorf("oidc_provider %q: leave out \"https://\"", a.OIDCProvider)
	}
	if a.OIDCProvider != "" && !oidcProvider.MatchString(a.OIDCProvider) {
		return fmt.Errorf("oidc_provider %q: want the issuer's host and path, e.g. oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B7", a.OIDCProvider)
	}
	return nil
}

// isTagKey reports whether s is a valid AWS tag key, ignoring the
// reserved "aws:" prefix: what ^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$
// matches. It is a loop rather than that regular expression, whose
// compiled form (128 copies of three Unicode classes) took 3 ms and 3 MB
// at every start of skyc.
func isTagKey(s string) bool {
	n := 0
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.Is(unicode.Z, r) && !unicode.IsNumber(r) && !strings.ContainsRune("_.:/=+-@", r) {
			return false
		}
		n++
	}
	return 1 <= n && n <= 128
}

func (t *CostTag) check() error {
	if t.Key != "" && (!isTagKey(t.Key) || strings.HasPrefix(strings.ToLower(t.Key), "aws:")) {
		return fmt.Errorf("key %q is not an AWS tag key: want 1 to 128 letters, digits, spaces and _.:/=+-@, not starting with \"aws:\"", t.Key)
	}
	if t.Pattern != "" {
		if _, err := regexp.Compile(t.Pattern); err != nil {
			return fmt.Errorf("pattern %q: %v", t.Pattern, err)
		}
	}
	return nil
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

// Root picks a repository root: root when given, else the nearest
// directory holding skyc.yaml at or above hint, else the current
// directory.
func Root(root, hint string) string {
	if root != "" {
		return root
	}
	if r, ok := FindRoot(hint); ok {
		return r
	}
	return "."
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
	if s.AWS.AccountID != "" {
		env.AWS.AccountID = s.AWS.AccountID
	}
	if s.AWS.OIDCProvider != "" {
		env.AWS.OIDCProvider = s.AWS.OIDCProvider
	}
	env.Policies = c.Defaults.Policies.merge(s.Policies)
	return env, nil
}

// DefaultEnv returns the settings of a render without an environment
// (a repository that defines none, or plain manifests): the defaults.
func (c *Config) DefaultEnv() *Environment {
	env := &Environment{Settings: c.Defaults}
	env.Vars = maps.Clone(c.Defaults.Vars)
	env.Policies = c.Defaults.Policies.merge(Policies{})
	return env
}

// CRDPaths returns the files of CRDs, resolved against the directory of
// skyc.yaml.
func (c *Config) CRDPaths() []string {
	out := make([]string, len(c.CRDs))
	for i, p := range c.CRDs {
		out[i] = filepath.Join(filepath.Dir(c.Path), filepath.FromSlash(p))
	}
	return out
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
