package cli

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/enrich-dev/enrich/pipeline"
	"github.com/enrich-dev/enrich/table"
	"github.com/enrich-dev/enrich/writers"
)

// indexEnv are the variables runners set to a task's index, counted from
// 0, in the order --shard auto reads them: Kubernetes Indexed Jobs, Cloud
// Run jobs, AWS Batch array jobs.
var indexEnv = []string{"JOB_COMPLETION_INDEX", "CLOUD_RUN_TASK_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"}

// countEnv is the one runner that also says how many tasks there are.
const countEnv = "CLOUD_RUN_TASK_COUNT"

// parseShard reads --shard: "I/N", "auto/N" or "auto", the index (and the
// count) then coming from the runner's environment.
func parseShard(spec string, getenv func(string) string) (pipeline.Shard, error) {
	idx, count, hasCount := strings.Cut(spec, "/")
	var s pipeline.Shard
	if hasCount {
		n, err := strconv.Atoi(count)
		if err != nil || n < 1 {
			return s, usagef("--shard %s: the count after / must be a whole number of at least 1", spec)
		}
		s.Count = n
	} else if idx != "auto" {
		return s, usagef("--shard %s: write I/N (I counts from 0), auto/N or auto", spec)
	}
	if idx != "auto" {
		i, err := strconv.Atoi(idx)
		if err != nil || i < 0 || i >= s.Count {
			return s, usagef("--shard %s: the index must be a whole number from 0 to %d", spec, s.Count-1)
		}
		s.Index = i
		return s, nil
	}
	if !hasCount {
		n, err := strconv.Atoi(getenv(countEnv))
		if err != nil || n < 1 {
			return s, usagef("--shard auto: %s does not say how many shards there are (got %q); give the count, as --shard auto/N", countEnv, getenv(countEnv))
		}
		s.Count = n
	}
	for _, name := range indexEnv {
		v := getenv(name)
		if v == "" {
			continue
		}
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 || i >= s.Count {
			return s, usagef("--shard auto: %s=%q is not an index from 0 to %d", name, v, s.Count-1)
		}
		s.Index = i
		return s, nil
	}
	return s, usagef("--shard auto: none of %s is set; give the index, as --shard I/%d", strings.Join(indexEnv, ", "), s.Count)
}

// checkShard refuses what a shard cannot do before anything is read.
func (c *config) checkShard() error {
	switch {
	case c.input == "-":
		return usagef("--shard needs an INPUT file that every shard reads, not standard input")
	case c.output == "-":
		return usagef("--shard needs an OUTPUT file, beside which merge finds what it needs (%s)", "OUTPUT"+shardSuffix)
	}
	f, err := table.FormatOf(c.output, table.Format(c.format))
	if err == nil && (f == table.Parquet || f == table.SQLite) {
		return usagef("--shard writes parts for enrich merge, which combines .csv, .tsv, .jsonl and .xlsx; write the shards as one of those, and convert the merged file")
	}
	return nil
}

// shardSuffix names a part's record beside it: PART.shard.
const shardSuffix = ".shard"

// shardRecord is the first line of PART.shard, in JSON; the positions of
// the part's rows follow it, each as a uvarint of its distance from the
// previous one (the first from -1). A position is the row's place in the
// input, counted from 0, but for the layout sheetLayout.
type shardRecord struct {
	Version  int    `json:"enrich_shard"`
	Index    int    `json:"index"`
	Count    int    `json:"count"`
	Input    string `json:"input"`        // the input's name, for messages
	InputID  string `json:"input_sha256"` // the input's content
	Rows     int64  `json:"input_rows"`   // rows read from the input (after --limit)
	Job      string `json:"job"`          // a hash of everything that shapes the output
	Format   string `json:"format"`
	Compress string `json:"compression,omitempty"` // the part's, from its name
	Header   bool   `json:"header,omitempty"`      // its first record is the header (CSV, TSV)
	Quoted   bool   `json:"quoted,omitempty"`      // a record may hold quoted line breaks (CSV, --tsv-quoted)
	Layout   string `json:"layout,omitempty"`      // sheetLayout, or "" for a part holding only its rows
	Sheet    string `json:"sheet,omitempty"`       // the sheet written, for sheetLayout
	Part     struct {
		Rows   int64  `json:"rows"`
		Bytes  int64  `json:"bytes"`
		SHA256 string `json:"sha256"`
	} `json:"part"`
}

// sheetLayout is the layout of a part that is the whole input workbook
// with only its rows answered (writers.InPlace); its positions are the
// rows' numbers in the sheet.
const sheetLayout = "sheet"

// shardRun records one shard's run: the positions of its rows go to a
// temporary file as they are read (no memory per row), and finish writes
// PART.shard once OUTPUT is committed.
type shardRun struct {
	rec  shardRecord
	tmp  *os.File
	bw   *bufio.Writer
	prev int64
	err  error
}

func (c *config) startShard(src table.Source) (*shardRun, error) {
	rec := shardRecord{Version: 1, Index: c.shard.Index, Count: c.shard.Count, Input: filepath.Base(c.input)}
	var err error
	if rec.InputID, err = fileSHA256(c.input); err != nil {
		return nil, fmt.Errorf("reading the input: %w", err)
	}
	rec.Job = c.jobID()
	f, _ := table.FormatOf(c.output, table.Format(c.format))
	rec.Format = string(f)
	rec.Compress = string(table.CompressionOf(c.output))
	rec.Header = f == table.CSV || f == table.TSV
	rec.Quoted = f == table.CSV || f == table.TSV && c.tsvQuoted
	if writers.InPlace(src.Format, f) {
		rec.Layout, rec.Sheet = sheetLayout, src.Sheet
	}
	// A record left by an earlier run must not vouch for a new OUTPUT.
	if err := os.Remove(c.output + shardSuffix); err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.output), "."+filepath.Base(c.output)+".shard-*")
	if err != nil {
		return nil, err
	}
	return &shardRun{rec: rec, tmp: tmp, bw: bufio.NewWriter(tmp), prev: -1}, nil
}

// kept is pipeline.Shard.Kept.
func (s *shardRun) kept(seq int64, num int) {
	pos := seq
	if s.rec.Layout == sheetLayout {
		pos = int64(num)
	}
	var b [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(b[:], uint64(pos-s.prev))
	s.prev = pos
	s.rec.Part.Rows++
	if _, err := s.bw.Write(b[:n]); err != nil && s.err == nil {
		s.err = err
	}
}

// finish writes PART.shard for the committed OUTPUT.
func (s *shardRun) finish(output string, input int64) error {
	defer s.abort()
	if err := s.bw.Flush(); err != nil || s.err != nil {
		return fmt.Errorf("recording the shard: %w", firstErr(s.err, err))
	}
	s.rec.Rows = input
	var err error
	if s.rec.Part.SHA256, s.rec.Part.Bytes, err = hashFile(output); err != nil {
		return fmt.Errorf("recording the shard: %w", err)
	}
	head, _ := json.Marshal(s.rec)
	out, err := os.CreateTemp(filepath.Dir(output), "."+filepath.Base(output)+".shard-*")
	if err != nil {
		return err
	}
	defer os.Remove(out.Name())
	if _, err := s.tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	w := bufio.NewWriter(out)
	w.Write(append(head, '\n'))
	if _, err := io.Copy(w, s.tmp); err != nil {
		out.Close()
		return err
	}
	if err := firstErr(w.Flush(), out.Sync(), out.Close()); err != nil {
		return fmt.Errorf("recording the shard: %w", err)
	}
	return os.Rename(out.Name(), output+shardSuffix)
}

func (s *shardRun) abort() {
	s.tmp.Close()
	os.Remove(s.tmp.Name())
}

// jobID hashes what shapes the output, so that merge refuses a part made
// with another prompt, model or columns. The base URL is left out: shards
// may reach one provider through different addresses.
func (c *config) jobID() string {
	schema := c.fields
	if c.schemaFile != "" {
		b, _ := os.ReadFile(c.schemaFile)
		schema = string(b)
	}
	b, _ := json.Marshal([]any{c.prompt, c.system, c.provider, c.model, c.maxTokens, c.temperatureSet, c.temperature,
		schema, c.column, c.errorColumn, c.usageColumns, c.escapeFormulas, c.limit, c.sheet, c.format, c.noDedupe,
		c.tsvQuoted, c.headerRow, c.rows, c.table, c.query, c.fillExisting})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

func fileSHA256(path string) (string, error) {
	sum, _, err := hashFile(path)
	return sum, err
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
