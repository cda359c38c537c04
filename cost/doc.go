// Package cost estimates what requests will use and cost before they are
// sent: prompt tokens, counted with OpenAI's own tokenizers (offline, from
// github.com/tiktoken-go/tokenizer) for OpenAI models and as one token per
// four bytes of UTF-8 for every other model (Claude has no offline
// tokenizer), and prices from a small dated table, which a caller's own
// price overrides (Resolve).
//
// Estimates feed the tokens-per-minute limiter and the dry-run preview;
// the provider's own usage counts replace them as answers arrive. The
// package does not send requests or keep counts.
package cost
