package readers

import (
	"context"
	"io"
	"os"
	"testing"
)

// BenchmarkXLSXRead reads the workbook at $ENRICH_BENCH_XLSX (a file the
// benchmark command's generator writes), skipping when it is not set.
func BenchmarkXLSXRead(b *testing.B) {
	path := os.Getenv("ENRICH_BENCH_XLSX")
	if path == "" {
		b.Skip("set ENRICH_BENCH_XLSX to a workbook to read")
	}
	for b.Loop() {
		x, err := OpenXLSX(path, XLSXOptions{})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := x.Next(context.Background())
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		x.Close()
		b.ReportMetric(float64(n), "rows")
	}
}
