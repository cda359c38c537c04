package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// usageCase is a command line the command must refuse with exit 2 and a
// message, before reading any input.
type usageCase struct {
	name string
	args []string
	want string
}

func refusesAsUsage(t *testing.T, tests []usageCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// --dry-run: were a bound missing, nothing sized by it is
			// allocated, so the test fails instead of running out of memory.
			r := enrich(t, nil, "", append([]string{"examples/products.csv", "--dry-run", "-p", "{{.name}}"}, tt.args...)...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", r.code, r.stderr, exitUsage, tt.want)
			}
		})
	}
}

// Item 6 of issue 13: -j 2000000000 ran out of memory; every count flag
// is bounded.
func TestAbsurdCountsAreUsageErrors(t *testing.T) {
	refusesAsUsage(t, []usageCase{
		{"-j two billion", []string{"-j", "2000000000"}, "-j/--concurrency must be between 1 and 10000, got 2000000000"},
		{"-j one over", []string{"-j", "10001"}, "-j/--concurrency must be between 1 and 10000"},
		{"-j zero", []string{"-j", "0"}, "-j/--concurrency must be between 1 and 10000, got 0"},
		{"--retries", []string{"--retries", "9223372036854775807"}, "--retries must be at most 100"},
		{"--max-tokens", []string{"--max-tokens", "99999999999"}, "--max-tokens must be at most 1000000"},
	})
}

// Item 10 of issue 13: NaN passed every check (NaN < 0 is false): a NaN
// temperature failed every request, NaN rates meant no limit.
func TestNaNAndInfinityAreUsageErrors(t *testing.T) {
	refusesAsUsage(t, []usageCase{
		{"--temperature NaN", []string{"--temperature", "NaN"}, "--temperature must be a finite number, got NaN"},
		{"--temperature Inf", []string{"--temperature", "-Inf"}, "--temperature must be a finite number, got -Inf"},
		{"--rpm NaN", []string{"--rpm", "NaN"}, "--rpm must be a finite number, got NaN"},
		{"--tpm NaN", []string{"--tpm", "nan"}, "--tpm must be a finite number, got NaN"},
		{"--tpm Inf", []string{"--tpm", "+Inf"}, "--tpm must be a finite number, got +Inf"},
		{"--price-in NaN", []string{"--price-in", "NaN", "--price-out", "1"}, "--price-in must be a finite number"},
		{"--price-out Inf", []string{"--price-in", "1", "--price-out", "Inf"}, "--price-out must be a finite number"},
	})
}

// Item 11 of issue 13: --sheet with a CSV input is a bad argument, exit
// 2 as the README says, not a fatal error.
func TestSheetWithoutAWorkbookIsAUsageError(t *testing.T) {
	for _, args := range [][]string{
		{"examples/products.csv", "-o", filepath.Join(t.TempDir(), "out.csv"), "-p", "{{.name}}", "--sheet", "Data"},
		{"-", "--format", "jsonl", "-o", "-", "-p", "{{.name}}", "--sheet", "Data"},
	} {
		r := enrich(t, nil, "", args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "--sheet only applies to xlsx input") {
			t.Errorf("%q: exit %d, stderr:\n%s\nwant exit %d", args, r.code, r.stderr, exitUsage)
		}
	}
}
