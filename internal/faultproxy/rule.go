package faultproxy

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Rule applies a fault to the requests it matches.
type Rule struct {
	// Name names the rule for [Proxy.Hits].
	Name string
	// Match selects the requests; the zero Match selects all.
	Match Match
	// Fault is what happens to a selected request.
	Fault Fault
	// Times is how many selected requests get the fault; zero means all
	// of them. Once used up, the rule no longer matches and later rules
	// (or plain forwarding) decide.
	Times int
	// Then, if set, is called with the hit's ordinal (1 for the rule's
	// first) before the fault is applied, on the request's goroutine.
	Then func(n int)
}

// Match selects requests. Every field that is set must match; the zero
// Match selects every request.
type Match struct {
	// Method is the HTTP method, e.g. "PATCH".
	Method string
	// Path is the whole URL path, e.g. "/apis" (API discovery).
	Path string
	// PathPrefix is a prefix of the URL path.
	PathPrefix string
	// Resource is a Kubernetes resource (plural, lower case, e.g.
	// "networkpolicies"), read from an API path such as
	// /apis/networking.k8s.io/v1/namespaces/ns/networkpolicies/name.
	Resource string
	// Action is an AWS API action, e.g. "GetRole": the Action parameter of
	// the query protocol or the operation of X-Amz-Target.
	Action string
}

func (m Match) matches(r *Request) bool {
	return (m.Method == "" || strings.EqualFold(m.Method, r.Method)) &&
		(m.Path == "" || m.Path == r.Path) &&
		(m.PathPrefix == "" || strings.HasPrefix(r.Path, m.PathPrefix)) &&
		(m.Resource == "" || m.Resource == r.Resource) &&
		(m.Action == "" || m.Action == r.Action)
}

// Request is what rules see of a request.
type Request struct {
	Method, Path string
	Header       http.Header
	// Resource is the Kubernetes resource of an API path, "" for other
	// paths (discovery, /version).
	Resource string
	// Action is the AWS action of the request, "" if it names none.
	Action string
}

func newRequest(r *http.Request, body []byte) *Request {
	return &Request{
		Method: r.Method, Path: r.URL.Path, Header: r.Header,
		Resource: KubeResource(r.URL.Path),
		Action:   awsAction(r, body),
	}
}

// KubeResource returns the resource a Kubernetes API path names:
// "deployments" for /apis/apps/v1/namespaces/ns/deployments/name,
// "namespaces" for /api/v1/namespaces/ns, "" for discovery paths.
func KubeResource(path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var rest []string
	switch {
	case len(segs) >= 2 && segs[0] == "api":
		rest = segs[2:]
	case len(segs) >= 3 && segs[0] == "apis":
		rest = segs[3:]
	default:
		return ""
	}
	if len(rest) >= 3 && rest[0] == "namespaces" {
		return rest[2]
	}
	if len(rest) == 0 {
		return ""
	}
	return rest[0]
}

// awsAction reads the action of an AWS request: X-Amz-Target's operation
// (JSON protocols), else the Action parameter of the query protocol (in a
// form body or the URL).
func awsAction(r *http.Request, body []byte) string {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		return t[strings.LastIndex(t, ".")+1:]
	}
	if a := r.URL.Query().Get("Action"); a != "" {
		return a
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if v, err := url.ParseQuery(string(body)); err == nil {
			return v.Get("Action")
		}
	}
	return ""
}

// faultKind says what a Fault does.
type faultKind int

const (
	kindPass faultKind = iota
	kindDelay
	kindStatus
	kindReset
	kindTruncate
	kindAWSError
)

// Fault is what a [Rule] does to a request. Make one with [Pass],
// [Delay], [Status], [TooManyRequests], [Reset], [Truncate] or [AWSError];
// the zero Fault is Pass.
type Fault struct {
	kind       faultKind
	delay      time.Duration
	status     int
	retryAfter time.Duration
	code       string
	message    string
}

// Pass forwards the request unchanged.
func Pass() Fault { return Fault{kind: kindPass} }

// Delay waits d, then forwards the request: a slow server. A client that
// gives up before ends the wait, and nothing is forwarded.
func Delay(d time.Duration) Fault { return Fault{kind: kindDelay, delay: d} }

// Status answers with the HTTP status code (e.g. 403, 500, 503) and a
// Kubernetes Status body, without forwarding.
func Status(code int) Fault { return Fault{kind: kindStatus, status: code} }

// TooManyRequests answers 429 with a Retry-After header of retryAfter
// (rounded up to whole seconds; none when zero).
func TooManyRequests(retryAfter time.Duration) Fault {
	return Fault{kind: kindStatus, status: http.StatusTooManyRequests, retryAfter: retryAfter}
}

// Reset reads the request and resets the connection without answering:
// the connection dropped mid-request.
func Reset() Fault { return Fault{kind: kindReset} }

// Truncate forwards the request, sends the answer's headers (with its
// full Content-Length) and half its body, then aborts the connection:
// dropped mid-response.
func Truncate() Fault { return Fault{kind: kindTruncate} }

// AWSError answers like AWS does with an error: HTTP status (400 for
// throttling), error code (e.g. "Throttling" for the query protocol,
// "ThrottlingException" for the JSON ones) and message, in the protocol of
// the request.
func AWSError(status int, code, message string) Fault {
	return Fault{kind: kindAWSError, status: status, code: code, message: message}
}

// AWSThrottle is the throttling error of the query-protocol APIs (IAM,
// STS, CloudFormation): 400 Throttling "Rate exceeded".
func AWSThrottle() Fault { return AWSError(http.StatusBadRequest, "Throttling", "Rate exceeded") }
