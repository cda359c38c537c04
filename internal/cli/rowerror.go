package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/enrich-dev/enrich/pipeline"
)

// rowError words a failed row's error for its error column: the
// pipeline's facts, with what to do about them in the command's terms.
func rowError(err error) string {
	var (
		cell    *pipeline.CellCutError
		timeout *pipeline.TimeoutError
		budget  *pipeline.BudgetError
	)
	switch {
	case errors.Is(err, pipeline.ErrCut):
		return err.Error() + "; raise --max-tokens for the whole answer"
	case errors.As(err, &cell):
		return err.Error() + "; write .csv or .jsonl for the whole answer"
	case errors.As(err, &timeout):
		// What the retry loop adds (the attempts) stays where it is.
		return strings.Replace(err.Error(), timeout.Error(), fmt.Sprintf("no answer within %s (--timeout): %v", timeout.After, timeout.Err), 1)
	case errors.As(err, &budget):
		return fmt.Sprintf("this request needs about %d tokens, more than the whole --tpm budget of %d a minute; raise --tpm or lower --max-tokens", budget.Need, budget.Budget)
	}
	return err.Error()
}
