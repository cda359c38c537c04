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

// Hint returns a short sentence telling a person what to do about err,
// or "" when there is nothing better to say than the error itself.
// It names the CLI's flags and never includes the API key.
func Hint(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return providerHint(e)
	}
	switch {
	case errors.Is(err, context.Canceled):
		return ""
	case errors.Is(err, syscall.ECONNREFUSED):
		return "is the server at --base-url running?"
	case errors.Is(err, context.DeadlineExceeded):
		return "the model did not answer within the per-request timeout; raise it or lower the max tokens"
	case isCertificateError(err):
		return "the server's TLS certificate is not trusted; check the host in --base-url"
	case wrongProtocol(err.Error()):
		return "the server does not speak HTTP as expected; check http:// versus https:// and the port in --base-url"
	}
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return "the host in --base-url does not resolve; check its spelling"
	}
	return ""
}

// providerHint is Hint for an answer the provider gave. e.Provider picks
// the key's variable and the endpoint's path; "" is taken as OpenAI.
func providerHint(e *Error) string {
	anthropic := e.Provider == anthropicName
	switch {
	case e.Code == "insufficient_quota":
		return "the account is out of credits or over its quota; check billing for the key's project"
	case anthropic && e.Status == http.StatusBadRequest && strings.Contains(e.Message, "credit balance"):
		return "the account is out of credits; check Plans & Billing in the Anthropic console"
	case e.Status == http.StatusUnauthorized && KeyEnv(e.Provider) != "":
		return "check " + KeyEnv(e.Provider) + " (or the key for your --base-url server)"
	case e.Status == http.StatusUnauthorized:
		return "check the API key"
	case e.Status == http.StatusForbidden:
		return "the key may not use this model or endpoint; check its project, permissions and region"
	case e.Status == http.StatusNotFound && anthropic:
		return "check --model and --base-url (requests go to BASE/v1/messages)"
	case e.Status == http.StatusNotFound:
		return "check --model and --base-url (requests go to BASE/chat/completions)"
	case e.Status == http.StatusRequestEntityTooLarge:
		return "the request is too large for the provider; shorten the prompt template or the row's cells"
	case !anthropic && (e.Status == http.StatusBadRequest || e.Status == http.StatusUnprocessableEntity) &&
		(strings.Contains(e.Message, MaxTokensField) || strings.Contains(e.Message, MaxCompletionTokensField)):
		return "the server rejects the token-cap field it was sent; try the other of max_tokens and max_completion_tokens (OpenAIOptions.MaxTokensField)"
	case e.Status == http.StatusTooManyRequests:
		return "the provider is rate-limiting; lower -j or set --rpm"
	case e.Code == "overloaded_error":
		return "the provider is overloaded; try again later, or lower -j"
	case e.Code == "content_filter":
		return "the provider's content filter blocked this answer; rephrase the prompt or skip the row"
	case strings.HasPrefix(e.Message, "response has no content (finish_reason length"):
		return "the token cap ran out before any answer (reasoning models think first); raise the max tokens"
	}
	return ""
}

// wrongProtocol reports whether the server does not speak HTTP (or TLS)
// the way --base-url says it does: a retry gets the same answer.
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
