package cost

import (
	"fmt"
	"sort"
	"strings"
)

// PricesAsOf dates the built-in table. Prices change: check the
// provider's page, and pass Resolve an override when they differ.
const PricesAsOf = "2025-08"

// Source says where the price Resolve returns comes from.
type Source int

const (
	// FromTable: the built-in list prices, as published in PricesAsOf.
	FromTable Source = iota
	// FromOverride: the caller's own price.
	FromOverride
)

// String names s in messages.
func (s Source) String() string {
	if s == FromOverride {
		return "override"
	}
	return "list price of " + PricesAsOf
}

// Resolve is the price to count model's tokens at: override when it is
// not nil (a caller's own figures win over a dated table), else PriceOf's.
// ok is false when neither knows one.
func Resolve(model string, override *Price) (p Price, src Source, ok bool) {
	if override != nil {
		return *override, FromOverride, true
	}
	p, ok = PriceOf(model)
	return p, FromTable, ok
}

// Price is what a model costs in US dollars per million tokens.
type Price struct {
	Input, Output float64
}

// Cost is the price of in input and out output tokens.
func (p Price) Cost(in, out int64) float64 {
	return (float64(in)*p.Input + float64(out)*p.Output) / 1e6
}

func (p Price) String() string {
	return fmt.Sprintf("$%g in / $%g out per 1M tokens", p.Input, p.Output)
}

// prices holds list prices per 1M tokens, standard tier, as the providers
// published them in PricesAsOf. Keys are model names or their prefixes.
var prices = map[string]Price{
	"gpt-5":             {1.25, 10},
	"gpt-5-mini":        {0.25, 2},
	"gpt-5-nano":        {0.05, 0.40},
	"gpt-4.1":           {2, 8},
	"gpt-4.1-mini":      {0.40, 1.60},
	"gpt-4.1-nano":      {0.10, 0.40},
	"gpt-4o":            {2.50, 10},
	"gpt-4o-mini":       {0.15, 0.60},
	"o3":                {2, 8},
	"o4-mini":           {1.10, 4.40},
	"claude-opus-4":     {15, 75},
	"claude-sonnet-4":   {3, 15},
	"claude-3-7-sonnet": {3, 15},
	"claude-3-5-haiku":  {0.80, 4},
	"claude-haiku-4-5":  {1, 5},
}

// PriceOf returns the built-in price of model, matched by the longest known
// name that the model name starts with ("gpt-4o-mini-2024-07-18" is
// gpt-4o-mini, not gpt-4o), and whether one is known.
func PriceOf(model string) (Price, bool) {
	m := strings.ToLower(model)
	names := make([]string, 0, len(prices))
	for name := range prices {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	for _, name := range names {
		if m == name || strings.HasPrefix(m, name+"-") {
			return prices[name], true
		}
	}
	return Price{}, false
}
