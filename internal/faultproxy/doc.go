// Package faultproxy is a loopback HTTP proxy that injects faults between
// a client and a real server, for tests of how skyc behaves when the
// things it talks to misbehave.
//
// A [Proxy] listens on 127.0.0.1 (plain HTTP) and forwards every request
// to one backend — a kube-apiserver over TLS, a moto_server — unless a
// [Rule] matches it. A rule selects requests by a [Match] (method, URL
// path, Kubernetes resource, AWS action) and applies its [Fault] to the
// first Times of them, or to all when Times is zero:
//
//   - [Delay]: wait, then forward (a slow server); a client that gives up
//     first ends the wait.
//   - [Status]: answer with an HTTP status and no forwarding: 429 with a
//     Retry-After header, 500, 503, 403 — as a Kubernetes Status object.
//   - [Reset]: read the request, then reset the connection (TCP RST)
//     without answering: the connection dropped mid-request.
//   - [Truncate]: forward, send the response's headers and half its body,
//     then abort the connection: dropped mid-response.
//   - [AWSError]: answer like an AWS API error (e.g. Throttling) in the
//     protocol of the request — the XML of the query protocol, or the JSON
//     of the JSON protocols — so the AWS SDK treats it as AWS's own.
//   - [Pass]: forward unchanged; with Rule.Then, a hook that tells a test
//     when the Nth request of a kind has arrived.
//
// When the backend cannot be reached (it was stopped), the proxy resets
// the client's connection, as a server that went away would, instead of
// answering 502.
//
// Rules can be changed while the proxy runs ([Proxy.SetRules]); counts of
// the requests each rule faulted ([Proxy.Hits]) and of all requests
// ([Proxy.Requests]) let tests assert that a fault really happened and
// that a client really retried.
package faultproxy
