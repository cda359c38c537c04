package llm

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Options chooses and configures a Client through New. The zero value
// asks for an OpenAI client for api.openai.com, which New refuses without
// an APIKey.
type Options struct {
	Provider   string       // one of Providers(); default "openai"
	BaseURL    string       // the provider's default when empty
	APIKey     string       // required by the hosted APIs; see New
	MaxConns   int          // keep-alive pool per host; see OpenAIOptions.MaxConns
	HTTPClient *http.Client // used as given when not nil
}

// provider is one row of the table New, Providers, KeyEnv and BaseURLEnv
// read.
type provider struct {
	name       string
	keyEnv     string // where the CLI reads the API key; "" for none
	baseURLEnv string // where the CLI reads the base URL; "" for none
	path       string // the endpoint under the base URL; "" for none
	needsKey   func(baseURL string) bool
	new        func(Options) (Client, error)
}

// providers lists every Client New can build, the default first. Adding a
// provider is one file holding its client plus one line here.
func providers() []provider {
	return []provider{
		{openAIName, "OPENAI_API_KEY", "OPENAI_BASE_URL", openAIPath, openAINeedsKey, openAIFrom},
		{anthropicName, "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", anthropicPath, always, anthropicFrom},
		{mockName, "", "", "", never, mockFrom},
	}
}

// lookup finds a provider by name; "" is the default, OpenAI.
func lookup(name string) (provider, bool) {
	if name == "" {
		name = openAIName
	}
	for _, p := range providers() {
		if p.name == name {
			return p, true
		}
	}
	return provider{}, false
}

// always and never answer provider.needsKey for every base URL.
func always(string) bool { return true }
func never(string) bool  { return false }

// ErrNoKey is wrapped by the *KeyError New returns.
var ErrNoKey = errors.New("an API key is required")

// KeyError is New's (and NewAnthropic's) refusal to build a client that
// needs an API key without one. Env is where a CLI would read the key.
type KeyError struct {
	Provider string // as New names it: "openai", "anthropic"
	Env      string // KeyEnv(Provider): "OPENAI_API_KEY"
}

func (e *KeyError) Error() string { return "an API key is required for " + e.Provider }
func (e *KeyError) Unwrap() error { return ErrNoKey }

// New returns the Client for opts.Provider, checked as its own constructor
// checks it (NewOpenAI, NewAnthropic). It fails with a *KeyError when
// opts.APIKey is empty and the provider needs a key at opts.BaseURL: the
// hosted APIs do (Anthropic's, and OpenAI's at api.openai.com, the
// default); OpenAI-compatible servers elsewhere (Ollama, vLLM, llama.cpp)
// usually do not, and the mock never does. It reads no environment
// variables: KeyEnv and BaseURLEnv tell the caller which ones to read.
func New(opts Options) (Client, error) {
	p, ok := lookup(opts.Provider)
	if !ok {
		return nil, fmt.Errorf("provider %q not found (known: %s)", opts.Provider, strings.Join(Providers(), ", "))
	}
	if opts.APIKey == "" && p.needsKey(opts.BaseURL) {
		return nil, &KeyError{Provider: p.name, Env: p.keyEnv}
	}
	return p.new(opts)
}

// Providers names the providers New knows, the default first, for help text.
func Providers() []string {
	ps := providers()
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.name
	}
	return names
}

// KeyEnv is the environment variable a CLI should read provider's API key
// from ("OPENAI_API_KEY"), or "" when it takes none or is not known.
// "" is the default provider, as in New.
func KeyEnv(provider string) string {
	p, _ := lookup(provider)
	return p.keyEnv
}

// EndpointPath is where provider's client posts requests, relative to
// its base URL ("chat/completions" for OpenAI, "v1/messages" for
// Anthropic), or "" when it sends none or is not known. "" is the default
// provider, as in New.
func EndpointPath(provider string) string {
	p, _ := lookup(provider)
	return p.path
}

// BaseURLEnv is the environment variable a CLI should read provider's base
// URL from ("OPENAI_BASE_URL"), or "" when it has none or is not known.
func BaseURLEnv(provider string) string {
	p, _ := lookup(provider)
	return p.baseURLEnv
}
