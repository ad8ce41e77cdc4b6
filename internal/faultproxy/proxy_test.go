package faultproxy

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"
)

// backend answers every request with its method and path, in a body
// long enough to be cut in half.
func backend(t *testing.T) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s %s %s", r.Method, r.URL.Path, body, strings.Repeat(".", 100))
	}))
	t.Cleanup(s.Close)
	return s
}

func start(t *testing.T, target string, rules ...Rule) *Proxy {
	t.Helper()
	return startOpts(t, Options{Target: target, Rules: rules})
}

func startOpts(t *testing.T, opts Options) *Proxy {
	t.Helper()
	p, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// caPool trusts the proxies' certificates, see startOpts.
var caPool = x509.NewCertPool()

// do sends one request on a fresh connection, so that the client's own
// retries of reused connections play no part.
func do(t *testing.T, method, u, body string, header http.Header) (*http.Response, string, error) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, TLSClientConfig: &tls.Config{RootCAs: caPool}}, Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

func TestFaults(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", useTLS), func(t *testing.T) { testFaults(t, useTLS) })
	}
}

func testFaults(t *testing.T, useTLS bool) {
	be := backend(t)
	for _, tc := range []struct {
		name  string
		fault Fault
		// check judges the client's view of one faulted request.
		check func(t *testing.T, resp *http.Response, body string, err error)
	}{
		{"pass", Pass(), func(t *testing.T, resp *http.Response, body string, err error) {
			if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(body, "GET /api/v1/namespaces/a/pods/b") {
				t.Errorf("got %v %q %v", resp, body, err)
			}
		}},
		{"status 500", Status(500), func(t *testing.T, resp *http.Response, body string, err error) {
			var st struct {
				Kind, Reason string
				Code         int
			}
			if err != nil || resp.StatusCode != 500 || json.Unmarshal([]byte(body), &st) != nil || st.Kind != "Status" || st.Code != 500 || st.Reason != "InternalError" {
				t.Errorf("got %v %q %v", resp, body, err)
			}
		}},
		{"403", Status(403), func(t *testing.T, resp *http.Response, body string, err error) {
			if err != nil || resp.StatusCode != 403 || !strings.Contains(body, `"reason":"Forbidden"`) {
				t.Errorf("got %v %q %v", resp, body, err)
			}
		}},
		{"429 with Retry-After", TooManyRequests(1500 * time.Millisecond), func(t *testing.T, resp *http.Response, body string, err error) {
			if err != nil || resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" || !strings.Contains(body, `"retryAfterSeconds":2`) {
				t.Errorf("got %v %q %v", resp, body, err)
			}
		}},
		{"reset", Reset(), func(t *testing.T, resp *http.Response, body string, err error) {
			if err == nil || !(errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF)) {
				t.Errorf("got %v %q, error %v; want a reset connection", resp, body, err)
			}
		}},
		{"truncate", Truncate(), func(t *testing.T, resp *http.Response, body string, err error) {
			if resp == nil || resp.StatusCode != 200 || !errors.Is(err, io.ErrUnexpectedEOF) || !strings.HasPrefix(body, "GET /api") || len(body) >= 100 {
				t.Errorf("got %v %q, error %v; want half a body, then unexpected EOF", resp, body, err)
			}
		}},
		{"delay", Delay(50 * time.Millisecond), func(t *testing.T, resp *http.Response, body string, err error) {
			if err != nil || resp.StatusCode != 200 {
				t.Errorf("got %v %q %v", resp, body, err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := startOpts(t, Options{Target: be.URL, TLS: useTLS, Rules: []Rule{{Name: "r", Match: Match{Resource: "pods"}, Fault: tc.fault}}})
			if useTLS != strings.HasPrefix(p.URL, "https://") || useTLS != (p.CACert != nil) {
				t.Fatalf("TLS %v: URL %s", useTLS, p.URL)
			}
			if useTLS && !caPool.AppendCertsFromPEM(p.CACert) {
				t.Fatal("CACert holds no certificate")
			}
			resp, body, err := do(t, "GET", p.URL+"/api/v1/namespaces/a/pods/b", "", nil)
			tc.check(t, resp, body, err)
			// Another resource is not matched.
			if _, body, err := do(t, "GET", p.URL+"/api/v1/namespaces/a/services/b", "", nil); err != nil || !strings.HasPrefix(body, "GET /api/v1/namespaces/a/services/b") {
				t.Errorf("unmatched request: %q %v", body, err)
			}
			if p.Hits("r") != 1 || p.Requests() != 2 {
				t.Errorf("hits %d, requests %d; want 1, 2", p.Hits("r"), p.Requests())
			}
		})
	}
}

// TestTimes: a rule with Times faults the first requests only; later
// rules and forwarding take the rest; SetRules starts counting anew.
func TestTimes(t *testing.T) {
	be := backend(t)
	var seen []int
	p := start(t, be.URL,
		Rule{Name: "twice", Fault: Status(503), Times: 2, Then: func(n int) { seen = append(seen, n) }},
		Rule{Name: "then", Match: Match{Method: "POST", Path: "/x"}, Fault: Status(500), Times: 1},
	)
	var codes []int
	for range 4 {
		resp, _, err := do(t, "POST", p.URL+"/x", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		codes = append(codes, resp.StatusCode)
	}
	if fmt.Sprint(codes) != "[503 503 500 200]" || fmt.Sprint(seen) != "[1 2]" {
		t.Errorf("codes %v, hook %v", codes, seen)
	}
	if p.Hits("twice") != 2 || p.Hits("then") != 1 {
		t.Errorf("hits %d %d", p.Hits("twice"), p.Hits("then"))
	}
	p.SetRules(Rule{Name: "twice", Fault: Status(503), Times: 2})
	if resp, _, _ := do(t, "GET", p.URL+"/x", "", nil); resp.StatusCode != 503 || p.Hits("twice") != 1 {
		t.Errorf("after SetRules: %d, hits %d", resp.StatusCode, p.Hits("twice"))
	}
}

// TestDelayEndsWithClient: a client that gives up ends the delay, and
// Close ends the ones still held.
func TestDelayEndsWithClient(t *testing.T) {
	be := backend(t)
	p := start(t, be.URL, Rule{Fault: Delay(time.Hour)})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", p.URL+"/slow", nil)
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want the client's deadline", err)
	}
	done := make(chan error, 1)
	go func() {
		resp, err := http.Get(p.URL + "/slow")
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	p.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Error("a held request got an answer after Close")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Close did not end a held request")
	}
}

// TestBackendDown: when the backend is gone the client's connection is
// reset, as if it had talked to the backend itself.
func TestBackendDown(t *testing.T) {
	be := backend(t)
	p := start(t, be.URL)
	be.Close()
	if _, _, err := do(t, "GET", p.URL+"/api", "", nil); err == nil {
		t.Error("a request reached a stopped backend")
	}
}

// TestAWS: actions are read from query-protocol forms and X-Amz-Target;
// the error is in the request's protocol.
func TestAWS(t *testing.T) {
	be := backend(t)
	p := start(t, be.URL,
		Rule{Name: "role", Match: Match{Action: "GetRole"}, Fault: AWSThrottle()},
		Rule{Name: "json", Match: Match{Action: "DescribeTable"}, Fault: AWSError(400, "ThrottlingException", "slow down")},
	)
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	resp, body, err := do(t, "POST", p.URL+"/", url.Values{"Action": {"GetRole"}, "RoleName": {"r"}}.Encode(), form)
	if err != nil {
		t.Fatal(err)
	}
	var x struct {
		Error struct{ Type, Code, Message string }
	}
	if resp.StatusCode != 400 || xml.Unmarshal([]byte(body), &x) != nil || x.Error.Code != "Throttling" || x.Error.Message != "Rate exceeded" {
		t.Errorf("query protocol: %d %q", resp.StatusCode, body)
	}
	// Another action passes, body and all.
	if _, body, _ := do(t, "POST", p.URL+"/", "Action=ListRoles", form); !strings.Contains(body, "POST / Action=ListRoles") {
		t.Errorf("ListRoles: %q", body)
	}
	resp, body, err = do(t, "POST", p.URL+"/", "{}", http.Header{"X-Amz-Target": {"DynamoDB_20120810.DescribeTable"}})
	if err != nil {
		t.Fatal(err)
	}
	var j struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	if resp.StatusCode != 400 || json.Unmarshal([]byte(body), &j) != nil || j.Type != "ThrottlingException" || j.Message != "slow down" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/x-amz-json") {
		t.Errorf("JSON protocol: %d %q", resp.StatusCode, body)
	}
	if p.Hits("role") != 1 || p.Hits("json") != 1 {
		t.Errorf("hits %d %d", p.Hits("role"), p.Hits("json"))
	}
}

func TestKubeResource(t *testing.T) {
	for path, want := range map[string]string{
		"/api":                               "",
		"/api/v1":                            "",
		"/apis":                              "",
		"/apis/apps/v1":                      "",
		"/api/v1/namespaces":                 "namespaces",
		"/api/v1/namespaces/ns":              "namespaces",
		"/api/v1/namespaces/ns/configmaps":   "configmaps",
		"/api/v1/namespaces/ns/configmaps/x": "configmaps",
		"/apis/apps/v1/namespaces/ns/deployments/x":                          "deployments",
		"/apis/networking.k8s.io/v1/namespaces/ns/networkpolicies":           "networkpolicies",
		"/apis/rbac.authorization.k8s.io/v1/clusterroles/view":               "clusterroles",
		"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/a.b.c":      "customresourcedefinitions",
		"/apis/monitoring.coreos.com/v1/namespaces/ns/servicemonitors/x/sub": "servicemonitors",
		"/version": "",
	} {
		if got := KubeResource(path); got != want {
			t.Errorf("KubeResource(%q) = %q, want %q", path, got, want)
		}
	}
}
