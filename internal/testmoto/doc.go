// Package testmoto runs moto_server, the AWS emulator, for tests: on a
// free port of 127.0.0.1 and never on another address, with the account
// ID the test asks for, stopped when the test ends.
//
// moto implements the APIs of CloudFormation and IAM (among many), so
// tests can create rendered stacks and load rendered policies through the
// AWS SDK and see what AWS would say. Its known differences from AWS
// matter for comparisons: it skips resource types it does not implement
// (a stack still completes), and it returns the inline policies of a role
// made through CloudFormation in Python's literal form rather than as
// URL-encoded JSON; ParsePolicy reads both.
package testmoto
