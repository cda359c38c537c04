package llm

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// post wraps err the way http.Client.Do does.
func post(err error) error {
	return &url.Error{Op: "Post", URL: "http://127.0.0.1:1/v1/chat/completions", Err: err}
}

func dial(err error) error {
	return post(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", err)})
}

func TestRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"retryable *Error", &Error{Status: 503, Retryable: true}, true},
		{"final *Error", &Error{Status: 400}, false},
		{"wrapped *Error", fmt.Errorf("row 3: %w", &Error{Status: 429, Retryable: true}), true},
		{"canceled", post(context.Canceled), false},
		{"deadline", post(context.DeadlineExceeded), true},
		{"wrapped deadline", fmt.Errorf("attempt 2: %w", context.DeadlineExceeded), true},
		{"refused", dial(syscall.ECONNREFUSED), true},
		{"reset", post(&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}), true},
		{"broken pipe", post(&net.OpError{Op: "write", Net: "tcp", Err: syscall.EPIPE}), true},
		{"host unreachable", dial(syscall.EHOSTUNREACH), true},
		{"eof", post(io.EOF), true},
		{"unexpected eof", fmt.Errorf("read response body: %w", io.ErrUnexpectedEOF), true},
		{"closed conn", post(net.ErrClosed), true},
		{"goaway", post(errors.New(`http2: server sent GOAWAY and closed the connection; LastStreamID=1999, ErrCode=NO_ERROR, debug=""`)), true},
		{"stream reset", post(errors.New("stream error: stream ID 3; INTERNAL_ERROR; received from peer")), true},
		{"idle closed", post(errors.New("http: server closed idle connection")), true},
		{"dns timeout", post(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "i/o timeout", Name: "h", IsTimeout: true}}), true},
		{"dns not found", post(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "h", IsNotFound: true}}), false},
		{"untrusted cert", post(x509.UnknownAuthorityError{}), false},
		{"wrong host cert", post(x509.HostnameError{Host: "h", Certificate: &x509.Certificate{}}), false},
		{"malformed response", post(errors.New(`net/http: HTTP/1.x transport connection broken: malformed HTTP response "\x15\x03"`)), false},
		{"https to http", post(errors.New("http: server gave HTTP response to HTTPS client")), false},
		{"anything else", errors.New("encode request: json: unsupported value: NaN"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Retryable(tt.err); got != tt.want {
				t.Errorf("Retryable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestRetryAfterOfErrors(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want time.Duration
	}{
		{nil, 0},
		{io.EOF, 0},
		{&Error{Status: 429, RetryAfter: 3 * time.Second}, 3 * time.Second},
		{fmt.Errorf("row 9: %w", &Error{Status: 503, RetryAfter: time.Minute}), time.Minute},
	} {
		if got := RetryAfter(tt.err); got != tt.want {
			t.Errorf("RetryAfter(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestDiagnose(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want Problem
	}{
		{"nil", nil, Unknown},
		{"401", &Error{Status: 401}, BadKey},
		{"404", fmt.Errorf("row 1: %w", &Error{Status: 404}), NotFound},
		{"429", &Error{Status: 429, Retryable: true}, RateLimited},
		{"429 quota", &Error{Status: 429, Code: "insufficient_quota"}, OutOfQuota},
		{"403", &Error{Status: 403}, Forbidden},
		{"content filter", &Error{Code: "content_filter"}, ContentFilter},
		{"cap ran out", &Error{Message: "response has no content (finish_reason length)"}, CapBeforeAnswer},
		{"token cap field", &Error{Status: 400, Message: "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."},
			TokenCapField},
		{"other 400", &Error{Status: 400, Message: "messages: too long"}, Unknown},
		{"401 openai by name", &Error{Status: 401, Provider: "openai"}, BadKey},
		{"401 anthropic", &Error{Status: 401, Provider: "anthropic"}, BadKey},
		{"401 someone else's", &Error{Status: 401, Provider: "acme"}, BadKey},
		{"404 anthropic", &Error{Status: 404, Provider: "anthropic"}, NotFound},
		{"anthropic max_tokens is not the field", &Error{Status: 400, Provider: "anthropic", Message: "max_tokens: 100000 > 64000"}, Unknown},
		{"anthropic out of credits", &Error{Status: 400, Provider: "anthropic", Message: "Your credit balance is too low to access the Anthropic API."},
			OutOfQuota},
		{"413", &Error{Status: 413}, TooLarge},
		{"overloaded", &Error{Status: 529, Code: "overloaded_error", Retryable: true}, Overloaded},
		{"500", &Error{Status: 500, Retryable: true}, Unknown},
		{"refused", dial(syscall.ECONNREFUSED), Unreachable},
		{"dns not found", post(&net.DNSError{Err: "no such host", Name: "h", IsNotFound: true}), UnknownHost},
		{"cert", post(x509.UnknownAuthorityError{}), UntrustedCert},
		{"wrong protocol", post(errors.New("http: server gave HTTP response to HTTPS client")), WrongProtocol},
		{"deadline", post(context.DeadlineExceeded), Timeout},
		{"422 token cap field", &Error{Status: 422, Provider: "openai", Message: "max_completion_tokens: extra inputs are not permitted"}, TokenCapField},
		{"canceled", post(context.Canceled), Unknown},
		{"other", errors.New("boom"), Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Diagnose(tt.err); got != tt.want {
				t.Errorf("Diagnose(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestRefusesEveryRow(t *testing.T) {
	every := map[Problem]bool{BadKey: true, Forbidden: true, NotFound: true, OutOfQuota: true}
	for p := Unknown; p <= CapBeforeAnswer; p++ {
		if got := p.RefusesEveryRow(); got != every[p] {
			t.Errorf("%v.RefusesEveryRow() = %v, want %v", p, got, every[p])
		}
		if strings.HasPrefix(p.String(), "problem(") {
			t.Errorf("Problem %d has no name", int(p))
		}
	}
	if got := Problem(99).String(); got != "problem(99)" {
		t.Errorf("got %q, want problem(99)", got)
	}
}

// TestWrongScheme: https:// against a plain HTTP server, and the reverse,
// fail for good instead of being retried. (Go's TLS server answers the
// latter with a plain 400 that says what happened; other servers send
// bytes that are not HTTP at all: WrongProtocol.)
func TestWrongScheme(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, okBody) }))
	defer plain.Close()
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, okBody) }))
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0)
	tlsSrv.StartTLS()
	defer tlsSrv.Close()

	for _, base := range []string{
		strings.Replace(plain.URL, "http://", "https://", 1),
		strings.Replace(tlsSrv.URL, "https://", "http://", 1),
	} {
		t.Run(base, func(t *testing.T) {
			c, err := NewOpenAI(OpenAIOptions{BaseURL: base, APIKey: fakeKey})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Complete(context.Background(), Request{Model: "m", Prompt: "p"})
			if err == nil || Retryable(err) || !strings.Contains(err.Error(), "HTTPS") {
				t.Errorf("got %v (retryable %v, %v), want a final error that mentions HTTPS", err, Retryable(err), Diagnose(err))
			}
			if strings.Contains(err.Error(), fakeKey) {
				t.Errorf("the API key leaked: %v", err)
			}
		})
	}
}
