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
	fmt.Println(llm.Diagnose(err), llm.Diagnose(err).RefusesEveryRow())
	// Output:
	// true status 429: Rate limit reached
	// true 2s
	// rate limited false
}

func ExampleAnthropic() {
	// A stand-in for api.anthropic.com answering a forced tool call.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"type":"message","content":[{"type":"tool_use","id":"toolu_1","name":"label","input":{"kind":"fruit","sweet":true}}],"stop_reason":"tool_use","usage":{"input_tokens":42,"output_tokens":9}}`)
	}))
	defer srv.Close()

	client, err := llm.New(llm.Options{Provider: "anthropic", BaseURL: srv.URL, APIKey: "sk-ant-…"})
	if err != nil {
		fmt.Println(err)
		return
	}
	resp, err := client.Complete(context.Background(), llm.Request{
		Model:  "claude-haiku-4-5",
		Prompt: "Classify: apples",
		Schema: &llm.Schema{Name: "label", JSON: []byte(`{"type":"object","properties":{"kind":{"type":"string"},"sweet":{"type":"boolean"}},"required":["kind","sweet"]}`)},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Text, resp.FinishReason, resp.Usage.PromptTokens)
	// Output: {"kind":"fruit","sweet":true} stop 42
}

func ExampleKeyEnv() {
	for _, p := range llm.Providers() {
		fmt.Printf("%s %q %q\n", p, llm.KeyEnv(p), llm.BaseURLEnv(p))
	}
	// Output:
	// openai "OPENAI_API_KEY" "OPENAI_BASE_URL"
	// anthropic "ANTHROPIC_API_KEY" "ANTHROPIC_BASE_URL"
	// mock "" ""
}

func ExampleMock() {
	resp, _ := llm.Mock{}.Complete(context.Background(), llm.Request{Prompt: "Classify:\n  apples"})
	fmt.Println(resp.Text)
	// Output: mock answer (no model was called) to the prompt: Classify: apples
}

func ExampleMock_schema() {
	schema := &llm.Schema{JSON: []byte(`{"type":"object","properties":{
		"kind":  {"type": "string", "enum": ["fruit", "vegetable"]},
		"name":  {"type": "string"},
		"stars": {"type": "integer"}}}`)}
	resp, _ := llm.Mock{}.Complete(context.Background(), llm.Request{Prompt: "Classify: apples", Schema: schema})
	fmt.Println(resp.Text)
	// Output: {"kind":"fruit","name":"mock name","stars":1}
}
