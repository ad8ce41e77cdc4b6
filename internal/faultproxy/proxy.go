package faultproxy

import (
	"bytes"
	"crypto/tls"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// maxBody bounds the request bodies the proxy reads to match them.
const maxBody = 32 << 20

// Options configure a [Proxy].
type Options struct {
	// Target is the backend's base URL, e.g. https://127.0.0.1:6443.
	Target string
	// Transport reaches the backend, e.g. one trusting its CA; nil means
	// a transport like http.DefaultTransport without proxies.
	Transport http.RoundTripper
	// Rules are the initial rules, see [Proxy.SetRules].
	Rules []Rule
	// TLS serves HTTPS with a self-signed certificate for 127.0.0.1
	// (see [Proxy.CACert]) instead of plain HTTP. Kubernetes clients send
	// bearer tokens only over TLS.
	TLS bool
}

// Proxy is a running fault-injecting proxy. Its methods are safe for
// concurrent use.
type Proxy struct {
	// URL is the proxy's base URL, http://127.0.0.1:<port> (https with
	// Options.TLS).
	URL string
	// CACert is the PEM of the certificate the proxy serves with
	// Options.TLS, for clients to trust; nil without.
	CACert []byte

	target    *url.URL
	transport http.RoundTripper
	srv       *http.Server
	ln        net.Listener
	done      chan struct{}

	mu       sync.Mutex
	rules    []*ruleState
	requests int
}

// ruleState is a rule and how often it has fired.
type ruleState struct {
	Rule
	hits int
}

// Start listens on a free port of 127.0.0.1 and serves until
// [Proxy.Close].
func Start(opts Options) (*Proxy, error) {
	target, err := url.Parse(opts.Target)
	if err != nil || target.Scheme == "" || target.Host == "" {
		return nil, fmt.Errorf("faultproxy: target %q is not an absolute URL", opts.Target)
	}
	tr := opts.Transport
	if tr == nil {
		tr = &http.Transport{DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext, MaxIdleConnsPerHost: 16}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: %w", err)
	}
	p := &Proxy{URL: "http://" + ln.Addr().String(), target: target, transport: tr, done: make(chan struct{})}
	p.SetRules(opts.Rules...)
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second,
		// Aborted connections are the point; don't log them.
		ErrorLog: log.New(io.Discard, "", 0)}
	if opts.TLS {
		cert, caPEM, err := selfSigned()
		if err != nil {
			ln.Close()
			return nil, err
		}
		p.URL, p.CACert = "https://"+ln.Addr().String(), caPEM
		// HTTP/1.1 only: its connections are what the faults drop.
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}})
	}
	p.ln = ln
	go func() {
		defer close(p.done)
		_ = p.srv.Serve(ln)
	}()
	return p, nil
}

// Close stops listening and drops every open connection, so that no
// request the proxy holds (a [Delay]) outlives it.
func (p *Proxy) Close() error {
	err := p.srv.Close()
	<-p.done
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// SetRules replaces the rules and resets their counts. The first rule
// that matches a request and has not used up its Times decides it.
func (p *Proxy) SetRules(rules ...Rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = make([]*ruleState, len(rules))
	for i, r := range rules {
		p.rules[i] = &ruleState{Rule: r}
	}
}

// Hits returns how often the rule called name has fired since the rules
// were set; rules without a name are counted under "".
func (p *Proxy) Hits(name string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, r := range p.rules {
		if r.Name == name {
			n += r.hits
		}
	}
	return n
}

// Requests returns how many requests the proxy has received.
func (p *Proxy) Requests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.requests
}

// pick counts the request and returns the rule that decides it, nil for
// none, with the hit's ordinal (1 for the rule's first).
func (p *Proxy) pick(req *Request) (*Rule, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests++
	for _, r := range p.rules {
		if r.Times > 0 && r.hits >= r.Times {
			continue
		}
		if r.Match.matches(req) {
			r.hits++
			rule := r.Rule
			return &rule, r.hits
		}
	}
	return nil, 0
}

// ServeHTTP applies the first matching rule's fault, or forwards r.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			resetConn(w)
			return
		}
	}
	req := newRequest(r, body)
	rule, n := p.pick(req)
	if rule == nil {
		p.forward(w, r, body, false)
		return
	}
	if rule.Then != nil {
		rule.Then(n)
	}
	f := rule.Fault
	switch f.kind {
	case kindPass:
		p.forward(w, r, body, false)
	case kindDelay:
		t := time.NewTimer(f.delay)
		defer t.Stop()
		select {
		case <-r.Context().Done():
			return // the client gave up
		case <-t.C:
		}
		p.forward(w, r, body, false)
	case kindStatus:
		writeStatus(w, f.status, f.retryAfter, f.message)
	case kindReset:
		resetConn(w)
	case kindTruncate:
		p.forward(w, r, body, true)
	case kindAWSError:
		writeAWSError(w, req, f.status, f.code, f.message)
	default:
		panic(fmt.Sprintf("faultproxy: unknown fault %d", f.kind))
	}
}

// hopHeaders are the headers that concern one connection, not the
// request.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Te", "Trailer", "Upgrade"}

// forward sends r to the backend and copies the answer back; truncate
// sends only the headers and half the body, then aborts the connection.
// A backend that cannot be reached resets the client's connection.
func (p *Proxy) forward(w http.ResponseWriter, r *http.Request, body []byte, truncate bool) {
	out := r.Clone(r.Context())
	out.RequestURI = ""
	out.URL.Scheme, out.URL.Host = p.target.Scheme, p.target.Host
	out.URL.Path = strings.TrimSuffix(p.target.Path, "/") + r.URL.Path
	out.URL.RawPath = ""
	out.Host = p.target.Host
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	if len(body) == 0 {
		out.Body = http.NoBody
	}
	for _, h := range hopHeaders {
		out.Header.Del(h)
	}
	resp, err := p.transport.RoundTrip(out)
	if err != nil {
		resetConn(w)
		return
	}
	defer resp.Body.Close()
	for _, h := range hopHeaders {
		resp.Header.Del(h)
	}
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	if !truncate {
		w.WriteHeader(resp.StatusCode)
		if _, err := io.Copy(w, resp.Body); err != nil {
			panic(http.ErrAbortHandler) // the backend went away mid-response
		}
		return
	}
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	// The client is told the whole length and gets half of it.
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(data[:len(data)/2])
	if fl, ok := w.(http.Flusher); ok {
		fl.Flush()
	}
	panic(http.ErrAbortHandler)
}

// resetConn drops the client's connection with a TCP reset, without an
// answer.
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(interface{ NetConn() net.Conn }); ok {
		conn = tc.NetConn() // TLS: reset the TCP connection beneath
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// writeStatus answers with code as a Kubernetes Status object, which any
// HTTP client also reads as a plain error.
func writeStatus(w http.ResponseWriter, code int, retryAfter time.Duration, message string) {
	if message == "" {
		message = fmt.Sprintf("faultproxy: injected %d %s", code, http.StatusText(code))
	}
	reason := map[int]string{
		http.StatusForbidden: "Forbidden", http.StatusTooManyRequests: "TooManyRequests",
		http.StatusInternalServerError: "InternalError", http.StatusServiceUnavailable: "ServiceUnavailable",
		http.StatusGatewayTimeout: "Timeout",
	}[code]
	details := ""
	if retryAfter > 0 {
		secs := int((retryAfter + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", fmt.Sprint(secs))
		details = fmt.Sprintf(`,"details":{"retryAfterSeconds":%d}`, secs)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":%q,"reason":%q,"code":%d%s}`+"\n",
		message, reason, code, details)
}

// writeAWSError answers like an AWS API error: JSON for requests of the
// JSON protocols (X-Amz-Target), else the XML of the query protocol.
func writeAWSError(w http.ResponseWriter, req *Request, code int, errCode, message string) {
	if message == "" {
		message = "Rate exceeded"
	}
	const requestID = "faultproxy-00000000-0000-0000-0000-000000000000"
	w.Header().Set("X-Amzn-Requestid", requestID)
	if req.Header.Get("X-Amz-Target") != "" {
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("X-Amzn-Errortype", errCode)
		w.WriteHeader(code)
		fmt.Fprintf(w, `{"__type":%q,"message":%q}`, errCode, message)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(code)
	fmt.Fprintf(w, `<ErrorResponse xmlns="http://webservices.amazon.com/AWSFault/2005-15-09"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
		xmlEscape(errCode), xmlEscape(message), requestID)
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
