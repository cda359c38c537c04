package pipeline

import (
	"context"
	"testing"
	"time"

	"github.com/enrich-dev/enrich/internal/fakeprovider"
	"github.com/enrich-dev/enrich/llm"
	"github.com/enrich-dev/enrich/writers"
)

// discard is a Writer that keeps nothing, so benchmarks measure the stage.
type discard struct{}

func (discard) Write(context.Context, writers.Record) error { return nil }
func (discard) Close() error                                { return nil }
func (discard) Abort() error                                { return nil }

func benchRun(b *testing.B, rows, concurrency int, latency time.Duration) {
	p := fakeprovider.New(fakeprovider.Options{Latency: latency})
	c := newClient(b, p)
	tp := mustTemplate(b, "{{.text}}")
	runs := 0
	var spent time.Duration
	for b.Loop() {
		start := time.Now()
		runs++
		if _, err := runPipeline(context.Background(), &sliceReader{n: rows}, discard{}, c, Options{Prompt: Prompt{Template: tp}, Limits: Limits{Concurrency: concurrency}}); err != nil {
			b.Fatal(err)
		}
		spent += time.Since(start)
	}
	perRun := spent.Seconds() / float64(runs)
	b.ReportMetric(float64(rows)/perRun, "rows/s")
	if latency > 0 {
		ideal := float64(rows) * latency.Seconds() / float64(concurrency)
		b.ReportMetric(perRun/ideal, "x-ideal")
	}
}

// 400 rows × 250ms ÷ 40 workers: the ideal is 2.5s a run.
func BenchmarkRunLatency(b *testing.B) { benchRun(b, 400, 40, 250*time.Millisecond) }

// Zero latency: what the stage itself costs, HTTP included.
func BenchmarkRunThroughput(b *testing.B) { benchRun(b, 10000, 64, 0) }

// The stage alone, with no HTTP: the offline mock answers at once, so this
// measures reading, ordering, dedupe bookkeeping and record building.
func BenchmarkRunMock(b *testing.B) {
	tp := mustTemplate(b, "{{.text}}")
	p, err := New(llm.Mock{}, Options{Prompt: Prompt{Template: tp}, Limits: Limits{Concurrency: 64}})
	if err != nil {
		b.Fatal(err)
	}
	const rows = 100_000
	for b.Loop() {
		if _, err := p.Run(context.Background(), &sliceReader{n: rows}, discard{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
