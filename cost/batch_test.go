package cost

import "testing"

func TestBatchIsHalfTheListPrice(t *testing.T) {
	p, _ := PriceOf("gpt-4o-mini")
	if got, want := p.Batch(), (Price{0.075, 0.30}); got != want {
		t.Errorf("batch price of gpt-4o-mini = %v, want %v", got, want)
	}
}
