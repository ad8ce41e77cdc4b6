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
// Unknown keys are errors with their line, so a typo never silently
// drops a setting.
package config
