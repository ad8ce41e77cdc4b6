// Package config reads a repository's skyc.yaml: where the repository
// root is, which environments exist (with their clusters, regions and
// variables) and the defaults every environment starts from.
//
// A skyc.yaml looks like this:
//
//	defaults:
//	  vars:
//	    log_level: info
//	environments:
//	  staging:
//	    cluster: eu-central-staging
//	    region: eu-central-1
//	    vars:
//	      log_level: debug
//	  production:
//	    cluster: eu-central-prod
//	    clusters: [eu-west-prod]
//	    kubeconfig: ~/.kube/prod.yaml
//	    region: eu-central-1
//
// cluster and clusters name kubeconfig contexts: skyc diff compares the
// environment's render against each of them. kubeconfig names the file
// holding them (relative to skyc.yaml; default $KUBECONFIG, else
// ~/.kube/config).
//
// # AWS
//
// Workloads with AWS resources need the environment's account and the
// OIDC provider of its cluster (for their IRSA runtime roles), under aws:
// in defaults or an environment:
//
//	environments:
//	  staging:
//	    aws:
//	      account_id: "111122223333"
//	      oidc_provider: oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B7
//
// cost_allocation configures the cost-allocation tags every taggable AWS
// resource carries (team, service, environment, cost_centre): the AWS tag
// key, whether a value is required (default yes) and the values allowed.
// When it is present, the rules hold for every workload, which carries
// the same values as Kubernetes labels:
//
//	cost_allocation:
//	  team: {allowed: [payments, risk]}
//	  cost_centre: {key: cost-centre, pattern: "cc-[0-9]{4}"}
//
// # Policies
//
// policies, in defaults or an environment, choose the platform policies
// skyc check applies there (docs/policies.md): a severity for a policy,
// or "off" to leave it out, and the labels every object must carry. An
// environment's severities are laid over the defaults' one by one:
//
//	defaults:
//	  policies:
//	    required_labels: [app.kubernetes.io/name, team]
//	environments:
//	  staging:
//	    policies:
//	      severity: {no-pdb: "off", no-probes: warning}
//
// # Custom resources
//
// crds lists CustomResourceDefinition manifests in the repository,
// relative to skyc.yaml; their kinds become typed constructors for .sky
// files and skyc check validates them against the CRDs' schemas:
//
//	crds: [crds/servicemonitor.yaml]
//
// Unknown keys are errors with their line, so a typo never silently
// drops a setting.
package config
