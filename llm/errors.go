package llm

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
)

// Retryable reports whether another attempt at the same request may succeed.
//
//   - *Error: its Retryable field (408, 409, 429, 5xx, unreadable 2xx bodies).
//   - context.Canceled: false; someone chose to stop.
//   - context.DeadlineExceeded: true; it is taken to be the per-attempt
//     timeout. A retry loop must still check its own ctx before trying again.
//   - dropped, refused or reset connections, bodies cut short (io.EOF,
//     io.ErrUnexpectedEOF), network timeouts, HTTP/2 GOAWAY and stream
//     resets: true.
//   - unknown hosts and untrusted TLS certificates: false; they need a fix.
//   - anything else: false.
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Retryable
	}
	switch {
	case errors.Is(err, context.Canceled):
		return false
	case errors.Is(err, context.DeadlineExceeded):
		return true
	case isCertificateError(err):
		return false
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return !dns.IsNotFound
	}
	msg := err.Error()
	if wrongProtocol(msg) {
		return false
	}
	if errIs(err, io.EOF, io.ErrUnexpectedEOF,
		syscall.ECONNRESET, syscall.ECONNREFUSED, syscall.ECONNABORTED,
		syscall.EPIPE, syscall.ETIMEDOUT, syscall.EHOSTUNREACH, syscall.ENETUNREACH,
		net.ErrClosed, http.ErrServerClosed) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return true // a socket-level failure the cases above did not name
	}
	// Errors net/http and x/net/http2 build with fmt, not sentinels.
	for _, s := range [...]string{
		"http2: server sent GOAWAY",
		"http2: client connection lost",
		"http2: client connection force closed",
		"stream error:", // http2.StreamError: REFUSED_STREAM, INTERNAL_ERROR…
		"server closed idle connection",
		"transport connection broken",
		"connection reset by peer",
		"broken pipe",
		"use of closed network connection",
		"unexpected EOF",
	} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// RetryAfter is how long the provider asked us to wait before the next
// attempt (Retry-After or retry-after-ms, capped at MaxRetryAfter), or 0.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// wrongProtocol reports whether the server does not speak HTTP (or TLS)
// the way the base URL's scheme says it does: a retry gets the same answer.
func wrongProtocol(msg string) bool {
	return strings.Contains(msg, "malformed HTTP") ||
		strings.Contains(msg, "server gave HTTP response to HTTPS client") ||
		strings.Contains(msg, "first record does not look like a TLS handshake")
}

func isCertificateError(err error) bool {
	var (
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	return errors.As(err, &verify) || errors.As(err, &unknown) ||
		errors.As(err, &hostname) || errors.As(err, &invalid)
}

// errIs is errors.Is over several targets.
func errIs(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}
