package llm

import (
	"fmt"
	"net/http"
	"strings"
)

// Options chooses and configures a Client through New. The zero value is
// an OpenAI client for api.openai.com without a key.
type Options struct {
	Provider   string // one of Providers(); default "openai"
	BaseURL    string // the provider's default when empty
	APIKey     string
	MaxConns   int          // keep-alive pool per host; see OpenAIOptions.MaxConns
	HTTPClient *http.Client // used as given when not nil
}

// provider is one row of the table New, Providers, KeyEnv and BaseURLEnv
// read.
type provider struct {
	name       string
	keyEnv     string // where the CLI reads the API key; "" for none
	baseURLEnv string // where the CLI reads the base URL; "" for none
	new        func(Options) (Client, error)
}

// providers lists every Client New can build, the default first. Adding a
// provider is one file holding its client plus one line here.
func providers() []provider {
	return []provider{
		{openAIName, "OPENAI_API_KEY", "OPENAI_BASE_URL", openAIFrom},
		{anthropicName, "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", anthropicFrom},
		{mockName, "", "", mockFrom},
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

// New returns the Client for opts.Provider, checked as its own constructor
// checks it (NewOpenAI, NewAnthropic). It reads no environment variables:
// KeyEnv and BaseURLEnv tell the caller which ones to read.
func New(opts Options) (Client, error) {
	p, ok := lookup(opts.Provider)
	if !ok {
		return nil, fmt.Errorf("provider %q not found (known: %s)", opts.Provider, strings.Join(Providers(), ", "))
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

// BaseURLEnv is the environment variable a CLI should read provider's base
// URL from ("OPENAI_BASE_URL"), or "" when it has none or is not known.
func BaseURLEnv(provider string) string {
	p, _ := lookup(provider)
	return p.baseURLEnv
}
