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
//	    region: eu-central-1
//
// Unknown keys are errors with their line, so a typo never silently
// drops a setting.
package config
