// Package llm sends one prompt to a model and returns its answer.
//
// It owns the provider-neutral Client interface with its Request and
// Response types, a thin net/http client for OpenAI's chat completions API
// and the servers that copy it (Ollama, vLLM, llama.cpp, LM Studio, proxies),
// an offline Mock, and the sorting of failures: Retryable, RetryAfter and
// Hint.
//
// It does not retry, rate-limit, time out, cache, estimate tokens or read
// environment variables: each Complete is exactly one attempt so that the
// pipeline's retry loop and limiters see and pay for every attempt, and the
// caller's ctx carries the per-attempt deadline. No SDK is used, for that
// reason and for size (see shared/LIBRARIES.md).
//
// # Wire format
//
// OpenAI posts {"model", "messages", "temperature"?, token cap?} to
// BaseURL + "/chat/completions", with "Authorization: Bearer KEY" when a key
// is set. The system message is sent only when Request.System is not empty,
// temperature only when Request.Temperature is not nil, the token cap only
// when Request.MaxTokens > 0. The token cap is named max_completion_tokens
// for api.openai.com (max_tokens is deprecated there and reasoning models
// reject it) and max_tokens for every other host (older vLLM, llama.cpp and
// Ollama know only that one); OpenAIOptions.MaxTokensField overrides it.
//
// Answers are read leniently: message.content may be a string or an array
// of parts (text parts are joined); usage may be missing (counts are 0) or
// use strings or floats; a legacy choices[0].text is accepted.
//
// # Errors
//
// A non-2xx answer is an *Error with the status, the provider's message
// (from {"error":{"message"}}, {"error":"…"}, {"message"}, {"detail"}, an
// HTML <title> or the start of the body), Retry-After and the rate-limit
// headers. 408, 409, 429 and 5xx (529 included) are retryable; other 4xx
// are not, nor is OpenAI's 429 "insufficient_quota", which no wait fixes.
// An x-should-retry header, when OpenAI sends one, overrides the status.
//
// A 2xx can fail too, as an *Error with Status 0: an unreadable body
// (truncated JSON, an HTML page from a proxy) is retryable; no choices, a
// refusal, the content filter, or no content at all are not. A
// finish_reason of "length" is not an error: the answer is returned and
// Response.FinishReason says it was cut.
//
// Failures below HTTP (refused or reset connections, a body cut short, the
// ctx deadline) are returned as net/http reported them, never as *Error;
// Retryable says which are worth another attempt.
//
// The API key is only ever put in the Authorization header, and is scrubbed
// from any message a server echoes back, so no error carries it.
//
// # Rate-limit headers
//
// x-ratelimit-{limit,remaining,reset}-{requests,tokens} are read from every
// answer, success or failure, into Limits. Reset values may be Go-style
// durations ("6m0s", "120ms", "1m30.5s") or plain seconds. Retry-After may
// be seconds (fractional allowed) or an HTTP-date; retry-after-ms wins when
// present. Waits are capped at MaxRetryAfter; garbage and negatives read as 0.
//
// # Connections
//
// The default HTTP client keeps MaxConns (default 64) idle connections per
// host instead of net/http's 2, so a pool of workers reuses keep-alive
// connections rather than redialling: set it to at least the number of
// workers. Bodies are always read or drained (up to 64 KiB) and closed.
package llm
