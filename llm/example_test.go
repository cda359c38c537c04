package llm_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/enrich-dev/enrich/llm"
)

func ExampleOpenAI() {
	// A stand-in for an OpenAI-compatible server such as Ollama or vLLM.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"choices":[{"message":{"content":"fruit"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":1}}`)
	}))
	defer srv.Close()

	client, err := llm.NewOpenAI(llm.OpenAIOptions{BaseURL: srv.URL + "/v1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := client.Complete(context.Background(), llm.Request{Model: "llama3", Prompt: "Classify: apples"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Text, resp.FinishReason, resp.Usage.PromptTokens, resp.Usage.CompletionTokens)
	// Output: fruit stop 9 1
}

func ExampleRetryable() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "2")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"error":{"message":"Rate limit reached","code":"rate_limit_exceeded"}}`)
	}))
	defer srv.Close()

	client, _ := llm.NewOpenAI(llm.OpenAIOptions{BaseURL: srv.URL})
	_, err := client.Complete(context.Background(), llm.Request{Model: "m", Prompt: "p"})
	var e *llm.Error
	fmt.Println(errors.As(err, &e), err)
	fmt.Println(llm.Retryable(err), llm.RetryAfter(err))
	fmt.Println(llm.Hint(err))
	// Output:
	// true status 429: Rate limit reached
	// true 2s
	// the provider is rate-limiting; lower -j or set --rpm
}

func ExampleMock() {
	resp, _ := llm.Mock{}.Complete(context.Background(), llm.Request{Prompt: "Classify:\n  apples"})
	fmt.Println(resp.Text)
	// Output: mock answer (no model was called): Classify: apples
}
