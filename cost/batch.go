package cost

// BatchDiscount is what a request costs through a provider's batch API
// (OpenAI's Batch API, Anthropic's Message Batches) as a share of its list
// price: half, for input and output alike.
const BatchDiscount = 0.5

// Batch is p at the batch price.
func (p Price) Batch() Price {
	return Price{Input: p.Input * BatchDiscount, Output: p.Output * BatchDiscount}
}
