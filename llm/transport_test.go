package llm

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hijack serves raw bytes on the connection and closes it, to misbehave
// below HTTP.
func hijack(raw string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		buf.WriteString(raw)
		buf.Flush()
		conn.Close()
	}
}

// refusedURL is an address nothing listens on.
func refusedURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/v1"
}

func TestTransportErrors(t *testing.T) {
	// hang stalls a handler until the client goes away or the test ends;
	// reading the body first lets net/http notice the client going away.
	stop := make(chan struct{})
	defer close(stop)
	hang := func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}
	tests := []struct {
		name      string
		handler   http.HandlerFunc // nil: nothing listens
		timeout   time.Duration
		cancel    bool
		retryable bool
		is        error // errors.Is target, if any
		problem   Problem
	}{
		{name: "connection refused", retryable: true, is: syscall.ECONNREFUSED, problem: Unreachable},
		{name: "server hangs", timeout: 50 * time.Millisecond, retryable: true, is: context.DeadlineExceeded,
			handler: hang,
			problem: Timeout},
		{name: "body hangs", timeout: 50 * time.Millisecond, retryable: true, is: context.DeadlineExceeded,
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "1000")
				io.WriteString(w, `{"choices":[`)
				w.(http.Flusher).Flush()
				hang(w, r)
			},
			problem: Timeout},
		{name: "canceled", cancel: true, retryable: false, is: context.Canceled, handler: hang},
		{name: "closed mid-body", retryable: true, is: io.ErrUnexpectedEOF,
			handler: hijack("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n" + okBody[:30])},
		{name: "closed mid-chunk", retryable: true, is: io.ErrUnexpectedEOF,
			handler: hijack("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n" + okBody[:30])},
		{name: "closed before answering", retryable: true, is: io.EOF, handler: hijack("")},
		{name: "garbage instead of HTTP", retryable: false, handler: hijack("SSH-2.0-OpenSSH_9.6\r\n"),
			problem: WrongProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := refusedURL(t)
			if tt.handler != nil {
				srv := httptest.NewServer(tt.handler)
				defer srv.Close()
				defer srv.CloseClientConnections()
				base = srv.URL + "/v1"
			}
			c, err := NewOpenAI(OpenAIOptions{BaseURL: base, APIKey: fakeKey})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			if tt.cancel {
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(ctx)
				time.AfterFunc(20*time.Millisecond, cancel)
			}
			_, err = c.Complete(ctx, Request{Model: "m", Prompt: "p"})
			if err == nil {
				t.Fatal("got no error")
			}
			var e *Error
			if errors.As(err, &e) {
				t.Fatalf("got *Error %v, want the transport's error", err)
			}
			if got := Retryable(err); got != tt.retryable {
				t.Errorf("Retryable(%v) = %v, want %v", err, got, tt.retryable)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("got %v, want it to wrap %v", err, tt.is)
			}
			if got := Diagnose(err); got != tt.problem {
				t.Errorf("Diagnose(%v) = %v, want %v", err, got, tt.problem)
			}
			if s := err.Error(); strings.Contains(s, fakeKey) {
				t.Errorf("the API key leaked: %s", s)
			}
		})
	}
}

// TestErrorBodyCutShort: a 5xx whose body breaks off is still a 5xx.
func TestErrorBodyCutShort(t *testing.T) {
	srv := httptest.NewServer(hijack("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 500\r\n\r\n{\"error\":"))
	defer srv.Close()
	c, err := NewOpenAI(OpenAIOptions{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Complete(context.Background(), Request{Model: "m", Prompt: "p"})
	var e *Error
	if !errors.As(err, &e) || e.Status != 503 || !e.Retryable || e.RetryAfter != time.Second {
		t.Errorf("got %#v, want a retryable 503 with RetryAfter 1s", err)
	}
}

// TestBodyLimit: an endless 200 is refused instead of filling memory.
func TestBodyLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bw := bufio.NewWriter(w)
		bw.WriteString(`{"choices":[{"message":{"content":"`)
		for range (maxBodyBytes / 1024) + 1 {
			bw.WriteString(strings.Repeat("a", 1024))
		}
		bw.WriteString(`"}}]}`)
		bw.Flush()
	}))
	defer srv.Close()
	c, err := NewOpenAI(OpenAIOptions{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Complete(context.Background(), Request{Model: "m", Prompt: "p"})
	var e *Error
	if !errors.As(err, &e) || e.Retryable || !strings.Contains(e.Message, "larger than 16 MiB") {
		t.Errorf("got %v, want a non-retryable error about the size", err)
	}
}
