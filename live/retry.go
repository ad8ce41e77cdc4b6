package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
)

// retry runs call with a per-attempt timeout, trying again while it fails
// transiently, at most Attempts times in all. Between attempts it waits
// the backoff (doubled each time, capped by MaxBackoff) or, when the
// server said how long (Retry-After), that long, capped by MaxRetryAfter.
// The error says what was asked of which server, how often, and why it
// failed.
func (k *Kube) retry(ctx context.Context, what string, call func(context.Context) error) error {
	if down := k.down.Load(); down != nil {
		return down
	}
	err := k.try(ctx, what, call)
	var unreachable *unreachableError
	switch {
	case err == nil:
		k.unreachable.Store(0)
	case errors.As(err, &unreachable):
		if k.unreachable.Add(1) >= tripAfter {
			k.down.CompareAndSwap(nil, &ServerDownError{Host: k.host, Err: unreachable.err})
		}
	default:
		// The server answered: it is there.
		k.unreachable.Store(0)
	}
	return err
}

// tripAfter is how many requests in a row, each after all its attempts,
// must fail to connect to a server (timeouts do not count) before it is
// given up for: a server lost in
// the middle of a diff is then one error of its target, not one per
// object after minutes of retries.
const tripAfter = 3

// ServerDownError is a request not sent because the server could not be
// reached by several requests in a row before it.
type ServerDownError struct {
	Host string
	Err  error // the last failure to reach it
}

func (e *ServerDownError) Error() string {
	return fmt.Sprintf("cannot reach %s: gave up after %d requests in a row failed: %v", e.Host, tripAfter, e.Err)
}

func (e *ServerDownError) Unwrap() error { return e.Err }

// Unreachable reports whether err is a request that could not connect
// to its server, or was not sent because the server was given up for.
func Unreachable(err error) bool {
	var u *unreachableError
	var d *ServerDownError
	return errors.As(err, &u) || errors.As(err, &d)
}

// unreachableError is a request that could not connect to the server,
// or lost its connection, on every attempt.
type unreachableError struct {
	msg string
	err error
}

func (e *unreachableError) Error() string { return e.msg }
func (e *unreachableError) Unwrap() error { return e.err }

// try is one request with its retries; see retry.
func (k *Kube) try(ctx context.Context, what string, call func(context.Context) error) error {
	wait := k.opts.Backoff
	var err error
	attempt := 1
	timedOut := false
	for ; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, k.opts.RequestTimeout)
		err = call(actx)
		timedOut = err != nil && (actx.Err() != nil && ctx.Err() == nil || isTimeout(err))
		cancel()
		if err == nil {
			return nil
		}
		if !timedOut && !Transient(err) || attempt >= k.opts.Attempts || ctx.Err() != nil {
			break
		}
		d := wait
		if secs, ok := apierrors.SuggestsClientDelay(err); ok && secs > 0 {
			d = min(time.Duration(secs)*time.Second, k.opts.MaxRetryAfter)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s %s: %w (after %d attempts; last error: %v)", what, k.host, context.Cause(ctx), attempt, err)
		case <-time.After(d):
		}
		wait = min(wait*2, k.opts.MaxBackoff)
	}
	tries := "1 attempt"
	if attempt > 1 {
		tries = fmt.Sprintf("%d attempts", attempt)
	}
	var status apierrors.APIStatus
	switch {
	case errors.As(err, &status) && !timedOut:
		if !Transient(err) {
			// A refusal or rejection: its message says enough, and
			// callers read its causes. Unless it says nothing.
			if d := describeStatus(err); d != err {
				return fmt.Errorf("%s from %s: %w", what, k.host, d)
			}
			return err
		}
		return fmt.Errorf("%s from %s (%s): %w", what, k.host, tries, describeStatus(err))
	case timedOut:
		// Slow, not gone: a slow kind must not make the others wait
		// for nothing, so it does not count towards giving up.
		return fmt.Errorf("cannot reach %s (%s, %s): timed out after %v: %w", k.host, what, tries, k.opts.RequestTimeout, err)
	case Transient(err):
		return &unreachableError{fmt.Sprintf("cannot reach %s (%s, %s): %v", k.host, what, tries, err), err}
	}
	return fmt.Errorf("%s %s: %w", what, k.host, err)
}

// statusError is a server's answer whose own message says nothing, such
// as the "unknown" client-go makes of a refused discovery request.
type statusError struct {
	apierrors.APIStatus
	msg string
}

func (e *statusError) Error() string { return e.msg }
func (e *statusError) Unwrap() error {
	if err, ok := e.APIStatus.(error); ok {
		return err
	}
	return nil
}

// describeStatus returns err, a server's answer, with a message that
// names the HTTP status when the server's own message is empty or
// "unknown".
func describeStatus(err error) error {
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return err
	}
	st := status.Status()
	msg := strings.TrimSpace(st.Message)
	if msg != "" && msg != "unknown" {
		return err
	}
	desc := fmt.Sprintf("the server answered %d", st.Code)
	if st.Reason != "" {
		desc += " " + string(st.Reason)
	}
	return &statusError{APIStatus: status, msg: desc}
}

// isTimeout reports whether err is a request that timed out.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// Transient reports whether err is worth retrying: a network failure
// (refused, reset, cut short), a timeout, or a server answer of 429, 500,
// 502, 503 or 504.
func Transient(err error) bool {
	if err == nil {
		return false
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		// The HTTP status decides: client-go marks a 403 it could not
		// decode as an "unexpected server response" too.
		if code := status.Status().Code; code != 0 {
			return code == 429 || code >= 500
		}
		return apierrors.IsTooManyRequests(err) || apierrors.IsServerTimeout(err) ||
			apierrors.IsTimeout(err) || apierrors.IsServiceUnavailable(err) ||
			apierrors.IsInternalError(err)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		var oe *net.OpError
		return errors.As(ue.Err, &oe)
	}
	return false
}

// noRetries is a REST client whose requests client-go never retries by
// itself (it would, up to ten times, after a Retry-After of any length):
// [Kube.retry] is the one retry policy, bounded and capped.
type noRetries struct{ rest.Interface }

func (c noRetries) Verb(verb string) *rest.Request { return c.Interface.Verb(verb).MaxRetries(0) }
func (c noRetries) Post() *rest.Request            { return c.Interface.Post().MaxRetries(0) }
func (c noRetries) Put() *rest.Request             { return c.Interface.Put().MaxRetries(0) }
func (c noRetries) Get() *rest.Request             { return c.Interface.Get().MaxRetries(0) }
func (c noRetries) Delete() *rest.Request          { return c.Interface.Delete().MaxRetries(0) }
func (c noRetries) Patch(pt types.PatchType) *rest.Request {
	return c.Interface.Patch(pt).MaxRetries(0)
}
func (c noRetries) APIVersion() schema.GroupVersion { return c.Interface.APIVersion() }
