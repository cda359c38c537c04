// Package llm sends one prompt to a model and returns its answer.
//
// It owns the provider-neutral Client interface with its Request and
// Response types, a thin net/http client for OpenAI's chat completions API
// and the servers that copy it (Ollama, vLLM, llama.cpp, LM Studio, proxies),
// one for Anthropic's Messages API, an offline Mock, the optional Batcher
// ability (batch APIs) of all three, the New factory that
// picks one by name, and the sorting of failures: Retryable, RetryAfter and
// Diagnose. It words no advice: a Problem and the facts on *Error and
// *KeyError are for the caller (the CLI) to put in its own terms.
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
// With Request.Schema set, OpenAI also gets "response_format":
// {"type": "json_schema", "json_schema": {"name", "schema", "strict"}};
// the answer is the message content, the JSON text, as ever. Meeting
// strict mode's rules (additionalProperties false, every property
// required) is the caller's job: the schema is passed through as written.
//
// Answers are read leniently: message.content may be a string or an array
// of parts (text parts are joined); usage may be missing (counts are 0) or
// use strings or floats; a legacy choices[0].text is accepted.
//
// Anthropic posts {"model", "max_tokens", "system"?, "messages",
// "temperature"?} to BaseURL + "/v1/messages" (BaseURL without /v1,
// default https://api.anthropic.com) with "x-api-key: KEY", which is
// required, and "anthropic-version: 2023-06-01" (AnthropicOptions.Version
// overrides it). max_tokens is always sent, as the API requires:
// Request.MaxTokens, or DefaultAnthropicMaxTokens (1024) when that is 0 or
// less. The system prompt is the top-level "system" field,
// sent only when not empty. Temperature is sent as given (Anthropic's range
// is 0 to 1, OpenAI's 0 to 2).
//
// A Schema becomes forced tool use, which every Claude model supports:
// one tool named Schema.Name with the schema as its input_schema, and
// tool_choice {"type": "tool"} naming it. The answer is that tool_use
// block's input, as compact JSON text; Schema.Strict has no counterpart.
// Without a schema the answer is the text blocks, joined. stop_reason is
// said in OpenAI's words: end_turn, stop_sequence and tool_use are "stop",
// max_tokens (and model_context_window_exceeded) "length"; others pass as
// they are. Usage counts cache writes and reads as prompt tokens.
//
// A Schema with no Name is named "answer". A name that is not 1 to 64 of
// [a-zA-Z0-9_-], or a document that is not a JSON object, fails before
// any request is sent.
//
// # Choosing a provider
//
// New builds a Client from Options by name: "openai" (the default),
// "anthropic" or "mock". It reads no environment variables either;
// KeyEnv and BaseURLEnv name the ones a CLI should read for each provider,
// EndpointPath the path its requests go to. It refuses, with a *KeyError
// wrapping ErrNoKey, to build a client for a hosted API (Anthropic's, or
// OpenAI's at api.openai.com) without an APIKey.
// The providers are one table in providers.go: adding one is a file with
// its client and one line there. Mock answers a Schema with an object that
// has a placeholder for each top-level property, in the schema's order.
//
// # Errors
//
// A non-2xx answer is an *Error with the status, the provider's message
// (from {"error":{"message"}}, {"error":"…"}, {"message"}, {"detail"}, an
// HTML <title> or the start of the body), Retry-After and the rate-limit
// headers. 408, 409, 429 and 5xx (529 included) are retryable; other 4xx
// are not, nor is OpenAI's 429 "insufficient_quota", which no wait fixes.
// An x-should-retry header, when OpenAI or Anthropic sends one, overrides
// the status.
//
// Anthropic's {"type":"error","error":{"type","message"}} is read the same
// way, its error type becoming Code ("overloaded_error"). Error.Provider
// says which client made the error, so that Diagnose reads each
// provider's dialect and a caller can name the right key variable
// (KeyEnv) and endpoint (EndpointPath).
//
// Diagnose sorts any failure into a Problem: BadKey, NotFound,
// RateLimited, Unreachable, … Problem.RefusesEveryRow says which ones
// (BadKey, Forbidden, NotFound, OutOfQuota) no other request will escape.
//
// A 2xx can fail too, as an *Error with Status 0: an unreadable body
// (truncated JSON, an HTML page from a proxy) is retryable; no choices, a
// refusal (Anthropic's stop_reason "refusal" too), the content filter, or
// no content at all (with a schema: no tool_use input) are not. An error
// object in a 200 is retryable when its code or type stands for a status
// that is. A finish_reason of "length" is not an error: the answer is
// returned and Response.FinishReason says it was cut.
//
// Failures below HTTP (refused or reset connections, a body cut short, the
// ctx deadline) are returned as net/http reported them, never as *Error;
// Retryable says which are worth another attempt.
//
// The API key is only ever put in the Authorization (or x-api-key) header.
// A server may echo it back, in an answer as well as in an error: it is
// redacted from every body before anything reads, cuts or quotes it, and
// again from the decoded answer and message, so neither Response nor any
// error carries it. Any run of its first KeyLeakLen (8) or more characters
// counts, so a message cut inside the key (by the server, or where a
// snippet ends) gives none of it away. A key shorter than that is a
// placeholder and is taken out of error messages only.
//
// # Rate-limit headers
//
// x-ratelimit-{limit,remaining,reset}-{requests,tokens} are read from every
// answer, success or failure, into Limits. Reset values may be Go-style
// durations ("6m0s", "120ms", "1m30.5s") or plain seconds. Retry-After may
// be seconds (fractional allowed) or an HTTP-date; retry-after-ms wins when
// present. Waits are capped at MaxRetryAfter; garbage and negatives read as 0.
//
// Anthropic's anthropic-ratelimit-requests-{limit,remaining,reset} map to
// the request fields; its resets are RFC 3339 times, read as the time left
// from now (0 when past). Of tokens-* and input-tokens-*, the group with
// less remaining fills the token fields, limit, remaining and reset
// together; output-tokens-* is not read, as Limits keeps one token budget
// and what a caller estimates ahead is mostly prompt.
//
// # Batches
//
// Batcher is an optional ability, found by type assertion: OpenAI,
// Anthropic and Mock have it. A caller writes BatchLine lines (the body
// Complete would send, under an id of its choosing) to a file and submits
// it; each method is one exchange, as Complete is. OpenAI uploads the file
// to BaseURL + "/files" (multipart, purpose "batch", streamed from disk
// with a known length) and creates a batch at BaseURL + "/batches" for
// /v1/chat/completions with a 24h window; results are the output and
// error files. Anthropic posts {"requests": [...]} to BaseURL +
// "/v1/messages/batches", streamed from the same file, and streams
// results_url. Every result line is checked: a response whose status_code
// is not 200 is an *Error wherever it sits, retryable as its status is;
// OpenAI's batch_expired and batch_cancelled, and Anthropic's canceled,
// expired and errored results other than invalid_request_error, are
// retryable. A 404 on a submission is a *NoBatchAPIError (ErrNoBatchAPI);
// a batch refused as a whole lists line-numbered BatchProblems. The mock
// keeps its batches in the temporary folder, ended at once, so that one
// process can collect what another submitted.
//
// # Connections
//
// The default HTTP client keeps MaxConns (default 64) idle connections per
// host instead of net/http's 2, so a pool of workers reuses keep-alive
// connections rather than redialling: set it to at least the number of
// workers. Bodies are always read or drained (up to 64 KiB) and closed.
package llm
