package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/enrich-dev/enrich/pipeline"
	"github.com/enrich-dev/enrich/templates"
)

// errFileTooLarge is readSmall's error for a file over its limit.
var errFileTooLarge = errors.New("file too large")

// readSmall reads a file that holds something small (a template, a
// schema): at most limit bytes, so /dev/zero or a log file given by
// mistake costs nothing, and it gives up when ctx ends, since the file
// may be a pipe nothing is written to. The read it leaves behind then
// ends with the process.
func readSmall(ctx context.Context, path string, limit int) ([]byte, error) {
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		f, err := os.Open(path) // a FIFO blocks here until a writer comes
		if err != nil {
			done <- result{nil, err}
			return
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
		if err == nil && len(b) > limit {
			err = errFileTooLarge
		}
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		return r.b, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// readPromptFile reads --prompt-file into c.prompt.
func (c *config) readPromptFile(ctx context.Context) error {
	if c.promptFile == "" {
		return nil
	}
	b, err := readSmall(ctx, c.promptFile, templates.MaxText)
	switch {
	case errors.Is(err, errFileTooLarge):
		return fmt.Errorf("--prompt-file %s is larger than %d MiB, the most a template may be", c.promptFile, templates.MaxText>>20)
	case err != nil && ctx.Err() == nil:
		return fmt.Errorf("reading the prompt file: %w", err)
	case err != nil:
		return err
	}
	c.prompt = string(b)
	return nil
}

// readSchemaFile reads --schema.
func (c *config) readSchemaFile(ctx context.Context) ([]byte, error) {
	b, err := readSmall(ctx, c.schemaFile, pipeline.MaxSchemaBytes)
	switch {
	case errors.Is(err, errFileTooLarge):
		return nil, fmt.Errorf("--schema %s is larger than %d MiB, the most a schema may be", c.schemaFile, pipeline.MaxSchemaBytes>>20)
	case err != nil && ctx.Err() == nil:
		return nil, fmt.Errorf("reading the schema: %w", err)
	}
	return b, err
}
