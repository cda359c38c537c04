package llm

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
)

// Problem names what a failed request says about its setup or its
// prompt, in facts a caller can act on: Diagnose sorts errors into them,
// and the caller words the advice (a CLI names its own flags; the package
// names none). Unknown is the zero value.
type Problem int

const (
	// Unknown: the error says all that is known (nil, context.Canceled,
	// a 500, a 400 about the prompt, …).
	Unknown Problem = iota

	// Below HTTP, from the transport.

	// Unreachable: the connection was refused; nothing listens at the
	// base URL's host and port.
	Unreachable
	// UntrustedCert: the server's TLS certificate does not verify for the
	// base URL's host.
	UntrustedCert
	// WrongProtocol: the server does not speak HTTP, or TLS, the way the
	// base URL's scheme says (http:// against TLS, https:// against plain
	// HTTP, or another protocol on that port).
	WrongProtocol
	// UnknownHost: the base URL's host does not resolve.
	UnknownHost
	// Timeout: the ctx deadline passed, taken to be the per-attempt
	// timeout, before the model answered.
	Timeout

	// Answers from the provider (*Error).

	// BadKey: 401; the API key is missing, wrong or revoked.
	BadKey
	// Forbidden: 403; the key may not use this model or endpoint.
	Forbidden
	// NotFound: 404; the model or the endpoint (EndpointPath under the
	// base URL) does not exist.
	NotFound
	// OutOfQuota: the account has no credit or is over its quota
	// (OpenAI's "insufficient_quota", Anthropic's 400 about the credit
	// balance); no wait fixes it.
	OutOfQuota
	// TooLarge: 413; the request is larger than the provider accepts.
	TooLarge
	// TokenCapField: an OpenAI-compatible server rejects the name the
	// token cap was sent under (MaxTokensField or MaxCompletionTokensField;
	// see OpenAIOptions.MaxTokensField).
	TokenCapField
	// RateLimited: 429 (other than OutOfQuota).
	RateLimited
	// Overloaded: the provider says it is overloaded (Anthropic's
	// "overloaded_error", its 529).
	Overloaded
	// ContentFilter: the provider's content filter withheld the answer.
	ContentFilter
	// CapBeforeAnswer: the token cap ran out before any answer was
	// written (reasoning models spend tokens thinking first).
	CapBeforeAnswer
)

var problemNames = [...]string{
	Unknown:         "unknown",
	Unreachable:     "unreachable",
	UntrustedCert:   "untrusted certificate",
	WrongProtocol:   "wrong protocol",
	UnknownHost:     "unknown host",
	Timeout:         "timeout",
	BadKey:          "bad key",
	Forbidden:       "forbidden",
	NotFound:        "not found",
	OutOfQuota:      "out of quota",
	TooLarge:        "too large",
	TokenCapField:   "token cap field",
	RateLimited:     "rate limited",
	Overloaded:      "overloaded",
	ContentFilter:   "content filter",
	CapBeforeAnswer: "cap before answer",
}

// String names p in logs and test output.
func (p Problem) String() string {
	if p >= 0 && int(p) < len(problemNames) {
		return problemNames[p]
	}
	return "problem(" + strconv.Itoa(int(p)) + ")"
}

// RefusesEveryRow reports whether every other request of the run will be
// refused the same way: BadKey, Forbidden, NotFound and OutOfQuota depend
// on the key, the account, the model and the endpoint, not on the prompt,
// so a caller may stop instead of failing each remaining row alike.
func (p Problem) RefusesEveryRow() bool {
	switch p {
	case BadKey, Forbidden, NotFound, OutOfQuota:
		return true
	}
	return false
}

// Diagnose sorts err, as Complete returned it and however wrapped, into a
// Problem. An *Error is sorted by its status, code and message, with
// Error.Provider telling the providers' dialects apart; anything else by
// what the transport reported.
func Diagnose(err error) Problem {
	if err == nil {
		return Unknown
	}
	var e *Error
	if errors.As(err, &e) {
		return diagnoseAnswer(e)
	}
	switch {
	case errors.Is(err, context.Canceled):
		return Unknown
	case errors.Is(err, syscall.ECONNREFUSED):
		return Unreachable
	case errors.Is(err, context.DeadlineExceeded):
		return Timeout
	case isCertificateError(err):
		return UntrustedCert
	case wrongProtocol(err.Error()):
		return WrongProtocol
	}
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return UnknownHost
	}
	return Unknown
}

// diagnoseAnswer is Diagnose for an answer the provider gave. The order
// matters: OpenAI's out-of-quota is a 429, Anthropic's a 400.
func diagnoseAnswer(e *Error) Problem {
	anthropic := e.Provider == anthropicName
	switch {
	case e.Code == "insufficient_quota":
		return OutOfQuota
	case anthropic && e.Status == http.StatusBadRequest && strings.Contains(e.Message, "credit balance"):
		return OutOfQuota
	case e.Status == http.StatusUnauthorized:
		return BadKey
	case e.Status == http.StatusForbidden:
		return Forbidden
	case e.Status == http.StatusNotFound:
		return NotFound
	case e.Status == http.StatusRequestEntityTooLarge:
		return TooLarge
	case !anthropic && (e.Status == http.StatusBadRequest || e.Status == http.StatusUnprocessableEntity) &&
		(strings.Contains(e.Message, MaxTokensField) || strings.Contains(e.Message, MaxCompletionTokensField)):
		return TokenCapField
	case e.Status == http.StatusTooManyRequests:
		return RateLimited
	case e.Code == "overloaded_error":
		return Overloaded
	case e.Code == "content_filter":
		return ContentFilter
	case strings.HasPrefix(e.Message, "response has no content (finish_reason length"):
		return CapBeforeAnswer
	}
	return Unknown
}

// CannotReach reports whether the problem is that no HTTP exchange with
// the server took place at all: nothing listens, the host does not
// resolve, TLS fails, or the server speaks another protocol.
func (p Problem) CannotReach() bool {
	switch p {
	case Unreachable, UntrustedCert, WrongProtocol, UnknownHost:
		return true
	}
	return false
}
