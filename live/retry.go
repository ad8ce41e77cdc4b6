package live

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// retry runs call with a per-attempt timeout, trying again with
// exponential backoff while it fails transiently, and wraps the last error
// with the API server's address.
func (k *Kube) retry(ctx context.Context, what string, call func(context.Context) error) error {
	wait := k.opts.Backoff
	var err error
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, k.opts.RequestTimeout)
		err = call(actx)
		timedOut := actx.Err() != nil && ctx.Err() == nil
		cancel()
		if err == nil {
			return nil
		}
		if !timedOut && !Transient(err) || attempt >= k.opts.Attempts || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what, context.Cause(ctx))
		case <-time.After(wait):
		}
		wait *= 2
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		return err // the server answered; its message says enough
	}
	if Transient(err) {
		return fmt.Errorf("cannot reach %s (%s, %d attempts): %w", k.host, what, k.opts.Attempts, err)
	}
	return fmt.Errorf("%s %s: %w", what, k.host, err)
}

// Transient reports whether err is worth retrying: a network failure, a
// timeout, or a server answer of 429, 500, 502, 503 or 504.
func Transient(err error) bool {
	if err == nil {
		return false
	}
	if apierrors.IsTooManyRequests(err) || apierrors.IsServerTimeout(err) ||
		apierrors.IsTimeout(err) || apierrors.IsServiceUnavailable(err) ||
		apierrors.IsInternalError(err) || apierrors.IsUnexpectedServerError(err) {
		return true
	}
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		code := status.Status().Code
		return code == 429 || code >= 500
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH) {
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
