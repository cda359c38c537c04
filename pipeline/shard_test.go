package pipeline

import (
	"context"
	"slices"
	"testing"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
)

// Three shards together write every row once, each the record an
// unsharded run writes for it, and send each distinct request once.
func TestShardsPartitionTheRun(t *testing.T) {
	const rows, distinct, shards = 300, 70, 3
	opts := Options{Prompt: Prompt{Template: mustTemplate(t, "{{.text}}")}, Limit: 290}
	whole := &memWriter{}
	if _, err := runPipeline(context.Background(), &repeatReader{n: rows, distinct: distinct}, whole, newClient(t, fakeprovider.New(fakeprovider.Options{})), opts); err != nil {
		t.Fatal(err)
	}
	p := fakeprovider.New(fakeprovider.Options{})
	client := newClient(t, p)
	owner := map[int64]int{}
	for i := range shards {
		var kept []int64
		var nums []int
		o := opts
		o.Shard = Shard{Index: i, Count: shards, Kept: func(seq int64, num int) { kept, nums = append(kept, seq), append(nums, num) }}
		w := &memWriter{}
		if _, err := runPipeline(context.Background(), &repeatReader{n: rows, distinct: distinct}, w, client, o); err != nil {
			t.Fatal(err)
		}
		if len(kept) != len(w.recs) || !slices.IsSorted(kept) {
			t.Fatalf("shard %d: %d positions heard (sorted %v) for %d records", i, len(kept), slices.IsSorted(kept), len(w.recs))
		}
		for n, seq := range kept {
			if prev, ok := owner[seq]; ok {
				t.Fatalf("row %d is in shards %d and %d", seq, prev, i)
			}
			owner[seq] = i
			if nums[n] != w.recs[n].Row.Num {
				t.Fatalf("shard %d: heard row %d kept, wrote row %d", i, nums[n], w.recs[n].Row.Num)
			}
			if got, want := w.recs[n], whole.recs[seq]; got.Row.Num != want.Row.Num || !slices.Equal(got.Values, want.Values) {
				t.Fatalf("shard %d, row %d: got %+v, want %+v", i, seq, got, want)
			}
		}
		if len(kept) < 60 {
			t.Errorf("shard %d took only %d of 290 rows", i, len(kept))
		}
	}
	if len(owner) != 290 {
		t.Errorf("the shards took %d rows together, want 290 (the limit)", len(owner))
	}
	if p.Requests() != distinct {
		t.Errorf("the shards sent %d requests for %d distinct prompts", p.Requests(), distinct)
	}
}

func TestShardValidation(t *testing.T) {
	for _, s := range []Shard{{Index: 3, Count: 3}, {Index: -1, Count: 2}, {Index: 0, Count: -1}, {Index: 1}} {
		if err := s.validate(); err == nil {
			t.Errorf("shard %d of %d was accepted", s.Index, s.Count)
		}
	}
}
