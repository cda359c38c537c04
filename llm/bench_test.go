package llm

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkOpenAIComplete measures the client against a zero-latency
// loopback server, client and server sharing the CPUs. It reports
// requests/s and the connections the server accepted: with keep-alive
// working that is about GOMAXPROCS×parallelism, not one per request.
func BenchmarkOpenAIComplete(b *testing.B) {
	body := []byte(okBody)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		h := w.Header()
		h["Content-Type"] = []string{"application/json"}
		h["X-Ratelimit-Remaining-Requests"] = []string{"9999"}
		h["X-Ratelimit-Reset-Requests"] = []string{"6ms"}
		w.Write(body)
	}))
	var conns atomic.Int64
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	const parallelism = 16 // goroutines per GOMAXPROCS, like a -j 32 pool on 2 cores
	c, err := NewOpenAI(OpenAIOptions{BaseURL: srv.URL + "/v1", APIKey: "k", MaxConns: 256})
	if err != nil {
		b.Fatal(err)
	}
	req := Request{Model: "m", System: "Answer in one word.", Prompt: "Classify this row: apples, 3, red", MaxTokens: 16}

	b.ReportAllocs()
	b.SetParallelism(parallelism)
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Complete(context.Background(), req); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
	b.ReportMetric(float64(conns.Load()), "conns")
}

// BenchmarkOpenAICompleteInMemory isolates this package's own cost per
// request (encoding, decoding, headers) from sockets and the server.
func BenchmarkOpenAICompleteInMemory(b *testing.B) {
	h := http.Header{
		"Content-Type":                   {"application/json"},
		"X-Ratelimit-Remaining-Requests": {"9999"},
		"X-Ratelimit-Reset-Requests":     {"6ms"},
	}
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		io.Copy(io.Discard, r.Body)
		return &http.Response{StatusCode: 200, Header: h, Body: io.NopCloser(strings.NewReader(okBody))}, nil
	})
	c, err := NewOpenAI(OpenAIOptions{BaseURL: "http://local/v1", APIKey: "k", HTTPClient: &http.Client{Transport: rt}})
	if err != nil {
		b.Fatal(err)
	}
	req := Request{Model: "m", System: "Answer in one word.", Prompt: "Classify this row: apples, 3, red", MaxTokens: 16}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Complete(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}
