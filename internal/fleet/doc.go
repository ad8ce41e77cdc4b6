// Package fleet generates synthetic skyc repositories of N services for
// benchmarks and for the tests of incremental rendering.
//
// # Layout
//
// A generated repository looks like a platform's config repository:
//
//	skyc.yaml                    one or more environments with vars
//	lib/platform.sky             organisation-wide helpers (image, sizing, env)
//	lib/teams/<team>.sky         a team's constants and defaults; loads platform.sky
//	services/<team>/<name>.sky   one service, worker or cron job per file
//
// Every service file loads its team's library and the platform library and
// calls the standard library (service, worker, cron_job, autoscale,
// secret_env, cores, megabytes, ...), with variety drawn from a seeded
// random source: ports, resources, replicas, autoscaling bounds, arguments,
// plain and secret environment variables, extra labels and annotations, and
// overrides of generated fields after the call.
//
// # Shapes
//
// [Peer] is the shape of the peer comparison in issue 7: every file is an
// HTTP service with autoscaling, so each renders exactly five objects per
// environment (Deployment, Service, ServiceAccount, PodDisruptionBudget,
// HorizontalPodAutoscaler). [Mixed] is closer to a real fleet: services with
// and without autoscaling, some with an Ingress or egress policy, workers
// and nightly cron jobs, so the number of objects per file varies.
//
// # Determinism
//
// The same Options give the same bytes: all choices come from a PCG source
// seeded with Options.Seed, and files are generated in a fixed order.
package fleet
