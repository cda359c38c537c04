package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func enrichIn(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var stderr bytes.Buffer
	code := Run(context.Background(), args, nil, &bytes.Buffer{}, &stderr)
	return code, stderr.String()
}

// shardParts writes in.csv and its three parts with the mock.
func shardParts(t *testing.T, dir string, extra ...string) (in string, parts []string) {
	t.Helper()
	in = filepath.Join(dir, "in.csv")
	var b strings.Builder
	b.WriteString("id,text\n")
	for i := range 60 {
		fmt.Fprintf(&b, "%d,row %d\n", i, i%40)
	}
	os.WriteFile(in, []byte(b.String()), 0o644)
	for i := range 3 {
		part := filepath.Join(dir, fmt.Sprintf("part%d.csv", i))
		args := append([]string{in, "-o", part, "-p", "{{.text}}", "--provider", "mock", "-q", "--cache", filepath.Join(dir, "c"), "--shard", fmt.Sprintf("%d/3", i)}, extra...)
		if code, stderr := enrichIn(t, args...); code != 0 {
			t.Fatalf("shard %d: exit %d\n%s", i, code, stderr)
		}
		parts = append(parts, part)
	}
	return in, parts
}

func TestMergeRefuses(t *testing.T) {
	dir := t.TempDir()
	_, parts := shardParts(t, dir)
	other := t.TempDir()
	_, otherParts := shardParts(t, other, "--system", "be brief")
	changed := filepath.Join(t.TempDir(), "part1.csv")
	b, _ := os.ReadFile(parts[1])
	os.WriteFile(changed, bytes.Replace(b, []byte("row"), []byte("Row"), 1), 0o644)
	c, _ := os.ReadFile(parts[1] + shardSuffix)
	os.WriteFile(changed+shardSuffix, c, 0o644)
	bare := filepath.Join(t.TempDir(), "bare.csv")
	os.WriteFile(bare, b, 0o644)

	out := filepath.Join(t.TempDir(), "out.csv")
	tests := []struct {
		name  string
		args  []string
		code  int
		wants string
	}{
		{"a missing shard", []string{parts[0], parts[2]}, exitFatal, "shard 1/3 is missing"},
		{"a shard twice", []string{parts[0], parts[1], parts[1]}, exitFatal, "shard 1/3 again"},
		{"another job", []string{parts[0], otherParts[1], parts[2]}, exitFatal, otherParts[1] + ": made with another prompt"},
		{"a changed part", []string{parts[0], changed, parts[2]}, exitFatal, changed + ": the part changed"},
		{"no record", []string{parts[0], bare, parts[2]}, exitFatal, bare + ": no bare.csv.shard beside it"},
		{"another format", []string{"-o", out + ".jsonl", parts[0], parts[1], parts[2]}, exitUsage, "OUTPUT must be a .csv file"},
		{"no parts", []string{}, exitUsage, "merge needs the parts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"merge"}, tt.args...)
			if len(tt.args) == 0 || tt.args[0] != "-o" {
				args = append([]string{"merge", "-o", out}, tt.args...)
			}
			code, stderr := enrichIn(t, args...)
			if code != tt.code || !strings.Contains(stderr, tt.wants) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.wants)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("a refused merge left OUTPUT behind")
			}
		})
	}
}

func TestParseShard(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	tests := []struct {
		spec    string
		env     func(string) string
		index   int
		count   int
		wantErr string
	}{
		{"0/3", env(), 0, 3, ""},
		{"2/3", env(), 2, 3, ""},
		{"3/3", env(), 0, 0, "from 0 to 2"},
		{"auto/4", env("JOB_COMPLETION_INDEX", "3"), 3, 4, ""},
		{"auto/4", env("CLOUD_RUN_TASK_INDEX", "1"), 1, 4, ""},
		{"auto/4", env("AWS_BATCH_JOB_ARRAY_INDEX", "0"), 0, 4, ""},
		{"auto/4", env("JOB_COMPLETION_INDEX", "4"), 0, 0, "JOB_COMPLETION_INDEX=\"4\""},
		{"auto/4", env(), 0, 0, "none of JOB_COMPLETION_INDEX"},
		{"auto", env("CLOUD_RUN_TASK_INDEX", "2", "CLOUD_RUN_TASK_COUNT", "5"), 2, 5, ""},
		{"auto", env("JOB_COMPLETION_INDEX", "2"), 0, 0, "CLOUD_RUN_TASK_COUNT"},
		{"x/3", env(), 0, 0, "from 0 to 2"},
		{"1/0", env(), 0, 0, "at least 1"},
		{"1", env(), 0, 0, "write I/N"},
	}
	for _, tt := range tests {
		s, err := parseShard(tt.spec, tt.env)
		switch {
		case tt.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || exitCodeFor(err) != exitUsage {
				t.Errorf("--shard %s: got %v, want a usage error with %q", tt.spec, err, tt.wantErr)
			}
		case err != nil || s.Index != tt.index || s.Count != tt.count:
			t.Errorf("--shard %s: got %d/%d, %v; want %d/%d", tt.spec, s.Index, s.Count, err, tt.index, tt.count)
		}
	}
}

// Workbook parts are checked as CSV parts are, and shards refuse the
// formats merge does not join before anything is read.
func TestMergeRefusesWorkbooks(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join("examples", "tickets.xlsx")
	var parts []string
	for i := range 2 {
		part := filepath.Join(dir, fmt.Sprintf("part%d.xlsx", i))
		if code, stderr := enrichIn(t, in, "-o", part, "-p", "{{json .}}", "--provider", "mock", "-q", "--cache", filepath.Join(dir, "c"), "--shard", fmt.Sprintf("%d/2", i)); code != 0 {
			t.Fatalf("shard %d: exit %d\n%s", i, code, stderr)
		}
		parts = append(parts, part)
	}
	changed := filepath.Join(t.TempDir(), "part1.xlsx")
	b, _ := os.ReadFile(parts[1])
	os.WriteFile(changed, append(b, 0), 0o644)
	c, _ := os.ReadFile(parts[1] + shardSuffix)
	os.WriteFile(changed+shardSuffix, c, 0o644)
	out := filepath.Join(t.TempDir(), "out.xlsx")
	xlsm := strings.TrimSuffix(out, ".xlsx") + ".xlsm"
	tests := []struct {
		name  string
		args  []string
		code  int
		wants string
	}{
		{"a changed part", []string{"merge", "-o", out, parts[0], changed}, exitFatal, changed + ": the part is not the file its shard wrote; rerun shard 1/2"},
		{"another extension", []string{"merge", "-o", xlsm, parts[0], parts[1]}, exitUsage, "the parts are .xlsx files"},
		{"parquet shards", []string{in, "-o", filepath.Join(dir, "p.parquet"), "-p", "x", "--provider", "mock", "--shard", "0/2"}, exitUsage, "which combines .csv, .tsv, .jsonl and .xlsx"},
		{"sqlite shards", []string{in, "-o", filepath.Join(dir, "p.db"), "-p", "x", "--provider", "mock", "--shard", "0/2"}, exitUsage, "which combines .csv, .tsv, .jsonl and .xlsx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stderr := enrichIn(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.wants) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.wants)
			}
			for _, f := range []string{out, xlsm} {
				if _, err := os.Stat(f); err == nil {
					t.Errorf("a refused merge left %s behind", f)
				}
			}
		})
	}
}
