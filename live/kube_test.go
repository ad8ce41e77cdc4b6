package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
)

func TestTransient(t *testing.T) {
	gr := schema.GroupResource{Resource: "deployments"}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{syscall.ECONNREFUSED, true},
		{&net.OpError{Op: "dial", Err: syscall.ECONNRESET}, true},
		{context.DeadlineExceeded, true},
		{apierrors.NewTooManyRequests("slow down", 1), true},
		{apierrors.NewServiceUnavailable("later"), true},
		{apierrors.NewInternalError(errors.New("boom")), true},
		{apierrors.NewNotFound(gr, "web"), false},
		{apierrors.NewForbidden(gr, "web", errors.New("no")), false},
		{apierrors.NewBadRequest("bad"), false},
		{errors.New("some other failure"), false},
		{fmt.Errorf("reading the body: %w", io.ErrUnexpectedEOF), true},
		{&url.Error{Op: "Get", URL: "https://x", Err: io.EOF}, true},
		// client-go's "unknown" 403 carries an UnexpectedServerResponse cause.
		{apierrors.NewGenericServerResponse(403, "get", gr, "", "unknown", 0, false), false},
		{apierrors.NewGenericServerResponse(502, "get", gr, "", "bad gateway", 0, false), true},
	} {
		if got := Transient(tc.err); got != tc.want {
			t.Errorf("Transient(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestUnreachable: a cluster on a closed port fails in NewKube, after the
// bounded retries, with an error naming the address.
func TestUnreachable(t *testing.T) {
	addr := closedPort(t)
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "config")
	os.WriteFile(kubeconfig, []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: dead, cluster: {server: "https://%s"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: dead, context: {cluster: dead, user: u}}]
current-context: dead
`, addr)), 0o600)
	start := time.Now()
	_, err := ConnectKube(context.Background(), KubeTarget{Kubeconfig: kubeconfig, Context: "dead"}, KubeOptions{Backoff: 10 * time.Millisecond})
	if err == nil {
		t.Fatal("no error")
	}
	want := "cannot reach https://" + addr + " (reading API discovery, 3 attempts)"
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("error %q, want it to contain %q and the cause", err, want)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
	if _, err := ConnectKube(context.Background(), KubeTarget{Kubeconfig: kubeconfig, Context: "nope"}, KubeOptions{}); err == nil || !strings.Contains(err.Error(), `context "nope" does not exist`) {
		t.Errorf("unknown context: error %v", err)
	}
}

// TestRetryTimeout: a server that never answers costs one request timeout
// per attempt, not forever.
func TestRetryTimeout(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		<-r.Context().Done()
	}))
	defer srv.Close()
	start := time.Now()
	_, err := NewKube(context.Background(), &rest.Config{Host: srv.URL}, KubeOptions{RequestTimeout: 200 * time.Millisecond, Attempts: 2, Backoff: 10 * time.Millisecond})
	if err == nil {
		t.Fatal("no error")
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("%d requests, want 2 attempts", n)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestRetryAfterBounded: a server that always answers 429 with a
// Retry-After of an hour gets Attempts requests, not client-go's ten per
// attempt, and the wait is capped by MaxRetryAfter; the error says how
// often it was tried. A 403 is asked once.
func TestRetryAfterBounded(t *testing.T) {
	for _, tc := range []struct {
		name      string
		code      int
		wantCalls int32
		wantErr   string
	}{
		{"429", http.StatusTooManyRequests, 3, "reading API discovery from %s (3 attempts): the server has received too many requests"},
		{"503", http.StatusServiceUnavailable, 3, "reading API discovery from %s (3 attempts): the server is currently unable"},
		// Discovery makes "unknown" of a 403; the error says what it was.
		{"403", http.StatusForbidden, 1, "reading API discovery from %s: the server answered 403 Forbidden"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.Header().Set("Retry-After", "3600")
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.code)
				fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"slow down","code":%d}`, tc.code)
			}))
			defer srv.Close()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard
			defer cancel()
			_, err := NewKube(ctx, &rest.Config{Host: srv.URL}, KubeOptions{Backoff: time.Millisecond, MaxRetryAfter: 10 * time.Millisecond})
			if err == nil {
				t.Fatal("no error")
			}
			if want := fmt.Sprintf(tc.wantErr, srv.URL); !strings.Contains(err.Error(), want) {
				t.Errorf("error %q, want %q", err, want)
			}
			if n := calls.Load(); n != tc.wantCalls {
				t.Errorf("%d requests, want %d", n, tc.wantCalls)
			}
		})
	}
}

// TestGiveUpOnLostServer: requests that cannot connect count towards
// giving the server up; at tripAfter in a row, later requests fail at once
// with a ServerDownError, without a call. An answer, even an error, or a
// timeout resets the count.
func TestGiveUpOnLostServer(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	for _, tc := range []struct {
		name     string
		outcomes []error // of the calls, in order; the last repeats
		requests int
		wantDown bool
		wantCall int
	}{
		{"lost", []error{refused}, 5, true, tripAfter * 2},
		{"answer resets", []error{refused, refused, apierrors.NewNotFound(schema.GroupResource{Resource: "pods"}, "x"), refused, refused}, 5, false, 5*2 - 1},
		{"timeouts do not count", []error{context.DeadlineExceeded}, 5, false, 5 * 2},
		{"one success resets", []error{refused, refused, nil, refused, refused}, 5, false, 4*2 + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := &Kube{host: "https://lost.example", opts: KubeOptions{Attempts: 2, Backoff: time.Millisecond}.withDefaults()}
			calls := 0
			var err error
			for r := 0; r < tc.requests; r++ {
				outcome := tc.outcomes[min(r, len(tc.outcomes)-1)]
				err = k.retry(context.Background(), "get Pod x", func(context.Context) error {
					calls++
					return outcome
				})
			}
			var down *ServerDownError
			if got := errors.As(err, &down); got != tc.wantDown {
				t.Fatalf("last error %v: given up = %v, want %v", err, got, tc.wantDown)
			}
			if tc.wantDown {
				if !strings.Contains(err.Error(), "cannot reach https://lost.example: gave up after 3 requests in a row failed") || !Unreachable(err) {
					t.Errorf("error %q", err)
				}
			}
			if calls != tc.wantCall {
				t.Errorf("%d calls, want %d", calls, tc.wantCall)
			}
		})
	}
}
